using System.Text;
using System.Text.RegularExpressions;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;
using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;

namespace Osv.ImageBuilder.Kernel.Import;

// What the importer reads from the kernel ELF (loader-stripped.elf): machine, load range, the dynamic
// symbols other objects can bind to, and two strings of the kernel's read-only data.
internal sealed partial record KernelElfFacts(
    string Architecture,
    ushort Machine,
    ulong Start,
    ulong End,
    IReadOnlyList<string> ExportedSymbols,
    string? Version,
    bool MountsZfsChildDataset)
{
    // The largest kernel ELF whose bytes are scanned for strings; a release kernel is under 10 MiB.
    private const long MaxScannedBytes = 256L << 20;

    // The dataset OSv mounted on / before commit 0e34e4dc (v0.57.0-398): "osv/zfs" in loader.cc and
    // fs/vfs/main.cc. Later kernels mount the pool's root dataset "osv" and contain no such string.
    private static readonly byte[] ChildDatasetString = Encoding.ASCII.GetBytes("\0osv/zfs\0");

    // Reads the facts, or returns null after reporting why the file is not a usable kernel.
    public static KernelElfFacts? Read(string kernelElf, DiagnosticBag diagnostics)
    {
        var location = new SourceLocation(kernelElf);
        if (!ElfFile.TryRead(kernelElf, out ElfFile? elf, out Diagnostic? problem))
        {
            string reason = problem?.Message ?? "it does not start with the ELF magic.";
            diagnostics.Error(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' is not a usable kernel ELF: {reason} Use loader-stripped.elf from the OSv build.", location);
            return null;
        }

        if (elf.Class != Class.Bit64)
        {
            diagnostics.Error(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' is not a 64-bit ELF file; OSv kernels are 64-bit.", location);
            return null;
        }

        // OSv rejects a non-PIE executable that overlaps [elf_start, elf_start + elf_size), which is the
        // span of the kernel's PT_LOAD segments (core/elf.cc, intersects_with_kernel).
        List<ElfSegment> loads = [.. elf.LoadSegments];
        if (loads.Count == 0)
        {
            diagnostics.Error(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' has no PT_LOAD segment, so its address range is unknown.", location);
            return null;
        }

        ulong start = loads.Min(s => s.VirtualAddress);
        ulong end = loads.Max(s => s.EndAddress);

        // OSv's lookup (core/elf.cc, lookup_symbol) finds every defined symbol of the GNU hash table, which
        // contains the non-local part of .dynsym. It checks neither the binding (GNU unique included) nor the visibility.
        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        foreach (ElfSymbol symbol in elf.DynamicSymbols)
        {
            if (symbol.IsDefined && symbol.Binding != ELFSharp.ELF.Sections.SymbolBinding.Local && symbol.Name.Length > 0)
            {
                symbols.Add(symbol.Name);
            }
        }

        if (symbols.Count == 0)
        {
            diagnostics.Warning(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' defines no dynamic symbols, so the bundle lists none and symbol checks are skipped.", location);
        }

        (string? version, bool childDataset) = ScanStrings(kernelElf);
        string architecture = elf.Machine switch
        {
            ELFSharp.ELF.Machine.AMD64 => "x86_64",
            ELFSharp.ELF.Machine.AArch64 => "aarch64",
            _ => elf.Machine.ToString().ToLowerInvariant(),
        };
        return new KernelElfFacts(architecture, (ushort)elf.Machine, start, end, [.. symbols], version, childDataset);
    }

    // Finds the boot banner "OSv VERSION\n" (loader.cc prints it with debug_early) and the old dataset name.
    private static (string? Version, bool ChildDataset) ScanStrings(string kernelElf)
    {
        var info = new FileInfo(kernelElf);
        if (info.Length > MaxScannedBytes)
        {
            return (null, false);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(kernelElf);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (null, false);
        }

        bool childDataset = bytes.AsSpan().IndexOf(ChildDatasetString) >= 0;
        Match banner = BannerPattern().Match(Encoding.Latin1.GetString(bytes));
        return (banner.Success ? banner.Groups[1].Value : null, childDataset);
    }

    // NOTE: the banner is the only marked string that contains the version. A kernel built from a tree
    // without git tags prints "OSv " and whatever scripts/osv-version.sh returned.
    [GeneratedRegex("\0OSv ([!-~]{1,64})\n\0")]
    private static partial Regex BannerPattern();
}
