using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;

namespace Osv.ImageBuilder.Kernel.Import;

// Lists the files of the bootfs blob linked into a kernel: bootfs.S places it in .data under the hidden
// symbol bootfs_start, which only the unstripped loader.elf names.
internal static class KernelBootfs
{
    private const string BlobSymbol = "bootfs_start";

    // Returns the guest paths of the blob's files, or null after a warning when they cannot be read.
    public static IReadOnlyList<string>? ReadFiles(string unstrippedKernel, DiagnosticBag diagnostics)
    {
        var location = new SourceLocation(unstrippedKernel);
        try
        {
            if (!ELFReader.TryLoad(unstrippedKernel, out IELF? elf) || elf is not ELF<ulong> elf64)
            {
                elf?.Dispose();
                diagnostics.Warning(KernelDiagnosticCodes.InvalidKernelElf, $"'{unstrippedKernel}' is not a 64-bit ELF file, so the files the kernel carries are unknown.", location);
                return null;
            }

            using (elf64)
            {
                return ReadFiles(elf64, unstrippedKernel, diagnostics);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidImageException
            or ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            diagnostics.Warning(KernelDiagnosticCodes.InvalidKernelElf, $"The bootfs of '{unstrippedKernel}' could not be read: {exception.Message}", location);
            return null;
        }
    }

    // Finds bootfs_start in .symtab and reads the record table from the section's bytes.
    private static IReadOnlyList<string>? ReadFiles(ELF<ulong> elf, string path, DiagnosticBag diagnostics)
    {
        var location = new SourceLocation(path);
        SymbolEntry<ulong>? blob = null;
        if (elf.TryGetSection(".symtab", out Section<ulong>? symtabSection) && symtabSection is SymbolTable<ulong> symtab)
        {
            blob = symtab.Entries.FirstOrDefault(s => s.Name == BlobSymbol);
        }

        if (blob?.PointedSection is not Section<ulong> section || section.Type != SectionType.ProgBits)
        {
            diagnostics.Warning(
                KernelDiagnosticCodes.InvalidKernelElf,
                $"'{path}' has no {BlobSymbol} symbol in a data section, so the files the kernel carries are unknown; import a build whose loader.elf is not stripped.",
                location);
            return null;
        }

        // The blob runs from the symbol to at most the end of its section.
        if (blob.Value < section.LoadAddress || blob.Value - section.LoadAddress >= section.Size)
        {
            diagnostics.Warning(KernelDiagnosticCodes.InvalidKernelElf, $"'{path}': {BlobSymbol} 0x{blob.Value:X} lies outside its section {section.Name}.", location);
            return null;
        }

        ulong offsetInSection = blob.Value - section.LoadAddress;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        ulong start = section.Offset + offsetInSection;
        ulong length = section.Size - offsetInSection;
        if (start > (ulong)file.Length || length > (ulong)file.Length - start)
        {
            diagnostics.Warning(KernelDiagnosticCodes.InvalidKernelElf, $"'{path}': the section {section.Name} lies past the end of the file.", location);
            return null;
        }

        using var window = new WindowStream(file, (long)start, (long)length, writable: false);
        using var reader = new BootfsReader(window, leaveOpen: true);
        return [.. reader.ReadTree().Where(e => e.Kind == FileSystemEntryKind.File).Select(e => e.GuestPath)];
    }
}
