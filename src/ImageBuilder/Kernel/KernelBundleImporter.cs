using System.Text.RegularExpressions;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using ELFSharp.ELF.Segments;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Osv.ImageBuilder.Kernel;

/// <summary>
/// Makes a kernel bundle from an OSv build folder (<c>build/release</c>): it copies loader.img,
/// loader-stripped.elf and the base files, reads the kernel's dynamic symbol table, load range and
/// machine with ELFSharp, copies the headers from the source tree's include folder, and writes
/// <c>osv-kernel.yaml</c>.
/// </summary>
public static partial class KernelBundleImporter
{
    private const string SymbolsFileName = "exported-symbols.txt";

    /// <summary>Imports the build in <paramref name="osvBuildDirectory"/> into <paramref name="outputDirectory"/>.</summary>
    /// <param name="osvBuildDirectory">An OSv build output folder, such as <c>osv/build/release</c>; the source tree is taken to be two levels up.</param>
    /// <param name="outputDirectory">The bundle folder to create; files already there are replaced.</param>
    /// <param name="diagnostics">Receives OSV50xx errors for missing outputs and warnings for optional files that were not found.</param>
    /// <returns>The loaded bundle, or null when errors were reported.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static KernelBundle? Import(string osvBuildDirectory, string outputDirectory, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(osvBuildDirectory);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(diagnostics);
        string build = Path.GetFullPath(osvBuildDirectory);
        string output = Path.GetFullPath(outputDirectory);
        string source = Path.GetFullPath(Path.Combine(build, "..", ".."));

        // The two outputs without which there is no kernel.
        string loaderImage = Path.Combine(build, "loader.img");
        string kernelElf = Path.Combine(build, "loader-stripped.elf");
        foreach (string required in new[] { loaderImage, kernelElf })
        {
            if (!File.Exists(required))
            {
                diagnostics.Error(
                    KernelDiagnosticCodes.MissingBuildOutput,
                    $"'{required}' does not exist; pass the output folder of a finished OSv build, such as osv/build/release.",
                    new SourceLocation(build));
            }
        }

        if (diagnostics.HasErrors)
        {
            return null;
        }

        KernelFacts? facts = ReadKernelFacts(kernelElf, diagnostics);
        if (facts is null)
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(output);
            File.Copy(loaderImage, Path.Combine(output, "loader.img"), overwrite: true);
            File.Copy(kernelElf, Path.Combine(output, "loader-stripped.elf"), overwrite: true);
            File.WriteAllLines(Path.Combine(output, SymbolsFileName), facts.Symbols);

            var description = new KernelBundleDescription
            {
                FormatVersion = 1,
                Name = facts.Version ?? Path.GetFileName(Path.GetDirectoryName(build + Path.DirectorySeparatorChar)!),
                OsvVersion = facts.Version ?? ReadVersion(build),
                Architecture = facts.Architecture,
                Machine = facts.Machine,
                AcceptedElfTypes = ["dyn", "exec"],
                KernelAddress = new KernelBundleDescription.AddressRange { Start = $"0x{facts.Start:X}", End = $"0x{facts.End:X}" },
                BootImage = "loader.img",
                KernelElf = "loader-stripped.elf",
                CommandLine = new KernelBundleDescription.CommandLineArea { Offset = KernelBundle.Generic.CommandLineOffset, MaxBytes = KernelBundle.Generic.CommandLineMaxBytes },
                Filesystems = ["rofs", "zfs"],
                Zfs = new KernelBundleDescription.ZfsLayout { Pool = KernelBundle.Generic.ZfsPool, RootDataset = KernelBundle.Generic.ZfsRootDataset },
                ProvidedSonames = [.. KernelBundle.Generic.Profile.ProvidedSonames.Order(StringComparer.Ordinal)],
                ExportedSymbols = SymbolsFileName,
                BaseFiles = CopyBaseFiles(build, source, output, diagnostics),
                Headers = CopyHeaders(source, output, diagnostics),
            };

            ISerializer serializer = new SerializerBuilder()
                .WithNamingConvention(CamelCaseNamingConvention.Instance)
                .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
                .Build();
            string yaml = "# OSv kernel bundle imported from " + build + "\n" + serializer.Serialize(description);
            File.WriteAllText(Path.Combine(output, KernelBundle.DescriptionFileName), yaml);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(KernelDiagnosticCodes.WriteFailed, $"Writing the kernel bundle to '{output}' failed: {exception.Message}");
            return null;
        }

        return KernelBundle.Load(output, diagnostics);
    }

    // Reads the machine, load range and exported symbols of the kernel ELF.
    private static KernelFacts? ReadKernelFacts(string kernelElf, DiagnosticBag diagnostics)
    {
        var location = new SourceLocation(kernelElf);
        if (!ELFReader.TryLoad(kernelElf, out IELF? elf) || elf is null)
        {
            diagnostics.Error(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' is not an ELF file; use loader-stripped.elf from the OSv build.", location);
            return null;
        }

        using (elf)
        {
            if (elf.Class != Class.Bit64 || elf is not ELF<ulong> elf64)
            {
                diagnostics.Error(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' is not a 64-bit ELF file; OSv kernels are 64-bit.", location);
                return null;
            }

            ulong start = ulong.MaxValue;
            ulong end = 0;
            foreach (Segment<ulong> segment in elf64.Segments)
            {
                if (segment.Type == SegmentType.Load)
                {
                    start = Math.Min(start, segment.Address);
                    end = Math.Max(end, segment.Address + segment.Size);
                }
            }

            if (end == 0)
            {
                diagnostics.Error(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' has no PT_LOAD segment, so its address range is unknown.", location);
                return null;
            }

            var symbols = new SortedSet<string>(StringComparer.Ordinal);
            if (((IELF)elf64).TryGetSection(".dynsym", out ISection? section) && section is ISymbolTable table)
            {
                foreach (ISymbolEntry symbol in table.Entries)
                {
                    bool defined = !symbol.IsPointedIndexSpecial || (symbol is SymbolEntry<ulong> entry64 && entry64.SpecialPointedSectionIndex == SpecialSectionIndex.Absolute);
                    bool exported = symbol.Binding is SymbolBinding.Global or SymbolBinding.Weak && symbol.Visibility == SymbolVisibility.Default;
                    if (defined && exported && symbol.Name.Length > 0)
                    {
                        symbols.Add(symbol.Name);
                    }
                }
            }
            else
            {
                diagnostics.Warning(KernelDiagnosticCodes.InvalidKernelElf, $"'{kernelElf}' has no .dynsym section, so the bundle lists no exported symbols and symbol checks are skipped.", location);
            }

            int machine = (int)elf64.Machine;
            string architecture = elf64.Machine switch
            {
                Machine.AMD64 => "x86_64",
                Machine.AArch64 => "aarch64",
                _ => elf64.Machine.ToString().ToLowerInvariant(),
            };
            return new KernelFacts(architecture, machine, start, end, [.. symbols], Version: null);
        }
    }

    // Reads OSV_VERSION from the generated version header, when the build has one.
    private static string? ReadVersion(string build)
    {
        string header = Path.Combine(build, "gen", "include", "osv", "version.h");
        if (!File.Exists(header))
        {
            return null;
        }

        Match match = VersionPattern().Match(File.ReadAllText(header));
        return match.Success ? match.Groups[1].Value : null;
    }

    // Copies the build's base files and the fstab variants into files/ and lists them.
    private static List<KernelBundleDescription.BaseFile> CopyBaseFiles(string build, string source, string output, DiagnosticBag diagnostics)
    {
        var result = new List<KernelBundleDescription.BaseFile>();
        string files = Path.Combine(output, "files");
        Directory.CreateDirectory(files);

        // Build outputs: (guest path, candidates in the build folder, filesystems), in the order of OSv's usr manifests.
        (string Guest, string[] Candidates, string[] FileSystems)[] outputs =
        [
            ("/libenviron.so", ["libenviron.so"], []),
            ("/tools/mount-fs.so", ["tools/mount/mount-fs.so", "tools/mount-fs.so"], ["zfs", "ramfs"]),
            ("/tools/umount.so", ["tools/mount/umount.so", "tools/umount.so"], ["zfs", "ramfs"]),
        ];
        foreach ((string guest, string[] candidates, string[] fileSystems) in outputs)
        {
            string? found = candidates.Select(c => Path.Combine(build, c)).FirstOrDefault(File.Exists);
            if (found is null)
            {
                diagnostics.Warning(
                    KernelDiagnosticCodes.MissingBuildOutput,
                    $"The build has no {string.Join(" or ", candidates)}, so images made with this bundle lack {guest}; build OSv with its default modules to get it.",
                    new SourceLocation(build));
                continue;
            }

            string relative = "files" + guest;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(output, relative))!);
            File.Copy(found, Path.Combine(output, relative), overwrite: true);
            result.Add(new KernelBundleDescription.BaseFile { Guest = guest, Host = relative, Filesystems = fileSystems.Length == 0 ? null : [.. fileSystems] });
        }

        // /etc/hosts, the /etc/mnttab link, and the fstab variants from the source tree's static/etc, or
        // the generic profile's copies when the source tree is not beside the build.
        string staticEtc = Path.Combine(source, "static", "etc");
        foreach (KernelBaseFile generic in KernelBundle.Generic.BaseFiles)
        {
            var entry = new KernelBundleDescription.BaseFile
            {
                Guest = generic.GuestPath,
                Filesystems = generic.FileSystems.Count == 0 ? null : [.. generic.FileSystems.Select(f => f.ToString().ToLowerInvariant())],
            };
            switch (generic.Kind)
            {
                case KernelBaseFileKind.Symlink:
                    entry.Link = generic.Source;
                    break;
                case KernelBaseFileKind.Directory:
                    entry.Directory = true;
                    break;
                default:
                    string staticName = generic.GuestPath switch
                    {
                        "/etc/fstab" when generic.AppliesTo(FileSystemKind.Rofs) => "fstab_rofs",
                        "/etc/fstab" => "fstab",
                        _ => Path.GetFileName(generic.GuestPath),
                    };
                    string staticPath = Path.Combine(staticEtc, staticName);
                    string relative = Path.Combine("files", "etc", staticName);
                    Directory.CreateDirectory(Path.Combine(files, "etc"));
                    if (File.Exists(staticPath))
                    {
                        File.Copy(staticPath, Path.Combine(output, relative), overwrite: true);
                    }
                    else
                    {
                        File.WriteAllText(Path.Combine(output, relative), generic.Source);
                    }

                    entry.Host = relative.Replace('\\', '/');
                    break;
            }

            result.Add(entry);
        }

        return result;
    }

    // Copies the source tree's include folder, when it is beside the build.
    private static List<string>? CopyHeaders(string source, string output, DiagnosticBag diagnostics)
    {
        string include = Path.Combine(source, "include");
        if (!Directory.Exists(include))
        {
            diagnostics.Warning(
                KernelDiagnosticCodes.MissingBuildOutput,
                $"'{include}' does not exist, so the bundle has no OSv headers; import from build/release inside an OSv source tree to include them.");
            return null;
        }

        string target = Path.Combine(output, "include");
        foreach (string file in Directory.EnumerateFiles(include, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(target, Path.GetRelativePath(include, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }

        return ["include"];
    }

    [GeneratedRegex("#define\\s+OSV_VERSION\\s+\"([^\"]+)\"")]
    private static partial Regex VersionPattern();

    private sealed record KernelFacts(string Architecture, int Machine, ulong Start, ulong End, List<string> Symbols, string? Version);
}
