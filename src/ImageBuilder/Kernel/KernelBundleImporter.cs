using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.Kernel.Import;

namespace Osv.ImageBuilder.Kernel;

/// <summary>
/// Makes a kernel bundle from an OSv build folder (<c>build/release</c>): it copies loader.img and
/// loader-stripped.elf, reads the kernel's dynamic symbols and load range from the ELF, the filesystems
/// it can mount from the bootfs linked into loader.elf, the version and configuration from the build's
/// generated headers, the base files from OSv's usr manifest skeletons, copies the headers, and writes
/// <c>osv-kernel.yaml</c>.
/// </summary>
public static class KernelBundleImporter
{
    private const string SymbolsFileName = "exported-symbols.txt";
    private const string BootImageName = "loader.img";
    private const string KernelElfName = "loader-stripped.elf";
    private const string UnstrippedKernelElfName = "loader.elf";
    private const string FilesFolder = "files";

    // The ZFS driver a kernel loads from its bootfs before it can mount ZFS (libsolaris_path in loader.cc).
    private const string ZfsModuleGuestPath = "/usr/lib/fs/libsolaris.so";

    // A libstdc++ object that a kernel built with conf_hide_symbols=0 exports; used only when the
    // build has no generated kernel_config_hide_symbols.h.
    private const string LibstdcxxMarkerSymbol = "_ZSt4cout";

    /// <summary>Imports the build in <paramref name="osvBuildDirectory"/> into <paramref name="outputDirectory"/>.</summary>
    /// <param name="osvBuildDirectory">An OSv build output folder, such as <c>osv/build/release</c>; the source tree is taken to be two levels up.</param>
    /// <param name="outputDirectory">The bundle folder to create; files already there are replaced.</param>
    /// <param name="diagnostics">Receives OSV50xx errors for missing outputs and warnings for optional files that were not found.</param>
    /// <returns>The loaded bundle, or null when errors were reported.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static KernelBundle? Import(string osvBuildDirectory, string outputDirectory, DiagnosticBag diagnostics) =>
        Import(osvBuildDirectory, outputDirectory, new KernelImportOptions(), diagnostics);

    /// <summary>Imports the build in <paramref name="osvBuildDirectory"/> into <paramref name="outputDirectory"/>.</summary>
    /// <param name="osvBuildDirectory">An OSv build output folder, such as <c>osv/build/release</c>.</param>
    /// <param name="outputDirectory">The bundle folder to create; files already there are replaced.</param>
    /// <param name="options">The source tree and the libgcc_s folder, when they are not where the build folder records them.</param>
    /// <param name="diagnostics">Receives OSV50xx errors for missing outputs and warnings for optional files that were not found.</param>
    /// <returns>The loaded bundle, or null when errors were reported.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static KernelBundle? Import(string osvBuildDirectory, string outputDirectory, KernelImportOptions options, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(osvBuildDirectory);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);
        string build = Path.GetFullPath(osvBuildDirectory);
        string output = Path.GetFullPath(outputDirectory);
        string source = Path.GetFullPath(options.SourceDirectory ?? Path.Combine(build, "..", ".."));

        // The two outputs without which there is no kernel.
        string bootImage = Path.Combine(build, BootImageName);
        string kernelElf = Path.Combine(build, KernelElfName);
        foreach (string required in new[] { bootImage, kernelElf })
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

        // What the kernel is: its ELF facts, the filesystems its bootfs lets it mount, its configuration.
        KernelElfFacts? facts = KernelElfFacts.Read(kernelElf, diagnostics);
        if (facts is null)
        {
            return null;
        }

        string? version = OsvBuildFolder.ReadVersion(build) ?? facts.Version;
        List<FileSystemKind> fileSystems = ReadFileSystems(build, diagnostics);
        bool hidesSymbols = OsvBuildFolder.ReadHidesSymbols(build) ?? !facts.ExportedSymbols.Contains(LibstdcxxMarkerSymbol);
        string libgccDirectory = options.LibgccDirectory ?? OsvBuildFolder.ReadLibgccDirectory(build) ?? string.Empty;
        if (libgccDirectory.Length == 0)
        {
            diagnostics.Warning(
                KernelDiagnosticCodes.MissingBuildOutput,
                $"The build has no usr.manifest that names libgcc_s.so.1, so images made with this bundle lack {OsvBuildFolder.LibgccGuestPath}; give the folder of libgcc_s.so.1 (gcc -print-file-name=libgcc_s.so.1).",
                new SourceLocation(build));
        }

        // The base files of every filesystem the kernel mounts, merged into one list.
        var collector = new BaseFileCollector(build, source, libgccDirectory.Length == 0 ? null : libgccDirectory, diagnostics);
        List<(BaseFileSource File, List<FileSystemKind> FileSystems)> baseFiles =
            BaseFileMerge.Merge(fileSystems.Select(f => (f, collector.Collect(f))).ToList());

        try
        {
            Directory.CreateDirectory(output);
            File.Copy(bootImage, Path.Combine(output, BootImageName), overwrite: true);
            File.Copy(kernelElf, Path.Combine(output, KernelElfName), overwrite: true);
            File.WriteAllLines(Path.Combine(output, SymbolsFileName), facts.ExportedSymbols);

            var description = new KernelBundleDescription
            {
                FormatVersion = 1,
                Name = version ?? Path.GetFileName(build.TrimEnd(Path.DirectorySeparatorChar)),
                OsvVersion = version,
                Architecture = facts.Architecture,
                Machine = facts.Machine,
                AcceptedElfTypes = ["dyn", "exec"],
                KernelAddress = new KernelBundleDescription.AddressRange { Start = $"0x{facts.Start:X}", End = $"0x{facts.End:X}" },
                BootImage = BootImageName,
                KernelElf = KernelElfName,
                CommandLine = new KernelBundleDescription.CommandLineArea { Offset = KernelBundle.Generic.CommandLineOffset, MaxBytes = KernelBundle.Generic.CommandLineMaxBytes },
                Filesystems = [.. fileSystems.Select(Lowercase)],
                Zfs = new KernelBundleDescription.ZfsLayout { Pool = KernelBundle.Generic.ZfsPool, RootDataset = facts.MountsZfsChildDataset ? KernelBundle.Generic.ZfsPool + "/zfs" : KernelBundle.Generic.ZfsPool },
                ProvidedSonames = ProvidedSonames(facts.Architecture, hidesSymbols),
                ExportedSymbols = SymbolsFileName,
                BaseFiles = CopyBaseFiles(baseFiles, fileSystems, output),
                Headers = CopyHeaders(source, output, diagnostics),
            };

            string yaml = KernelDescriptionWriter.Write(description, "OSv kernel bundle imported from " + build);
            File.WriteAllText(Path.Combine(output, KernelBundle.DescriptionFileName), yaml);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(KernelDiagnosticCodes.WriteFailed, $"Writing the kernel bundle to '{output}' failed: {exception.Message}");
            return null;
        }

        return KernelBundle.Load(output, diagnostics);
    }

    // Every kernel mounts ROFS (fs/rofs is always linked in); ZFS needs the driver in the kernel's bootfs.
    private static List<FileSystemKind> ReadFileSystems(string build, DiagnosticBag diagnostics)
    {
        string unstripped = Path.Combine(build, UnstrippedKernelElfName);
        IReadOnlyList<string>? bootfs = null;
        if (File.Exists(unstripped))
        {
            bootfs = KernelBootfs.ReadFiles(unstripped, diagnostics);
        }
        else
        {
            diagnostics.Warning(
                KernelDiagnosticCodes.MissingBuildOutput,
                $"'{unstripped}' does not exist, so the files linked into the kernel are unknown and the bundle assumes it mounts rofs and zfs.",
                new SourceLocation(build));
        }

        return bootfs is null || bootfs.Contains(ZfsModuleGuestPath)
            ? [FileSystemKind.Zfs, FileSystemKind.Rofs]
            : [FileSystemKind.Rofs];
    }

    // The sonames the kernel registers as its own (supplied_modules in core/elf.cc, program::program).
    private static List<string> ProvidedSonames(string architecture, bool hidesSymbols)
    {
        var sonames = new SortedSet<string>(KernelBundle.Generic.Profile.ProvidedSonames, StringComparer.Ordinal);
        if (architecture == "aarch64")
        {
            // linux_dl_soname in include/osv/elf.hh; the musl names are x86-64 only.
            sonames.Remove("ld-linux-x86-64.so.2");
            sonames.Remove("libc.musl-x86_64.so.1");
            sonames.Remove("ld-musl-x86_64.so.1");
            sonames.Add("ld-linux-aarch64.so.1");
        }

        // NOTE: core/elf.cc also registers libboost_system.so.1.55.0 when the kernel was built against
        // Boost older than 1.69 without hidden symbols. The build does not record the Boost version.
        if (!hidesSymbols)
        {
            sonames.Add("libstdc++.so.6");
        }

        return [.. sonames];
    }

    // Copies the base files into files/ and describes them; an entry that applies to every filesystem
    // of the kernel names none.
    private static List<KernelBundleDescription.BaseFile> CopyBaseFiles(List<(BaseFileSource File, List<FileSystemKind> FileSystems)> files, List<FileSystemKind> kernelFileSystems, string output)
    {
        var result = new List<KernelBundleDescription.BaseFile>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        var guestCounts = files.CountBy(f => f.File.GuestPath, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        foreach ((BaseFileSource file, List<FileSystemKind> fileSystems) in files)
        {
            var entry = new KernelBundleDescription.BaseFile
            {
                Guest = file.GuestPath,
                Filesystems = kernelFileSystems.All(fileSystems.Contains) ? null : [.. fileSystems.Select(Lowercase)],
            };
            switch (file.Kind)
            {
                case KernelBaseFileKind.Symlink:
                    entry.Link = file.LinkTarget;
                    break;
                case KernelBaseFileKind.Directory:
                    entry.Directory = true;
                    break;
                default:
                    string relative = ChooseFileName(file, guestCounts[file.GuestPath] > 1, usedNames);
                    string destination = Path.Combine(output, relative);
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    if (file.Kind == KernelBaseFileKind.Content)
                    {
                        File.WriteAllText(destination, file.Content);
                    }
                    else
                    {
                        File.Copy(file.HostPath!, destination, overwrite: true);
                    }

                    entry.Host = relative;
                    break;
            }

            result.Add(entry);
        }

        return result;
    }

    // Names a base file's copy files/GUEST. Variants of one guest path (the fstab of each filesystem)
    // are named files/GUEST_DIR/HOST_NAME instead, with a number added when that is taken too.
    private static string ChooseFileName(BaseFileSource file, bool hasVariants, HashSet<string> usedNames)
    {
        string preferred = FilesFolder + file.GuestPath;
        if (hasVariants && file.HostPath is not null)
        {
            preferred = FilesFolder + Path.GetDirectoryName(file.GuestPath)!.TrimEnd('/') + "/" + Path.GetFileName(file.HostPath);
        }

        string chosen = preferred;
        for (int number = 2; usedNames.Contains(chosen); number++)
        {
            chosen = $"{preferred}.{number}";
        }

        usedNames.Add(chosen);
        return chosen;
    }

    // Copies the source tree's include folder, when it is there.
    private static List<string>? CopyHeaders(string source, string output, DiagnosticBag diagnostics)
    {
        string include = Path.Combine(source, "include");
        if (!Directory.Exists(include))
        {
            diagnostics.Warning(
                KernelDiagnosticCodes.MissingBuildOutput,
                $"'{include}' does not exist, so the bundle has no OSv headers; give the OSv source tree the build was made from.");
            return null;
        }

        // Links to musl's headers are copied as files; OSv's own tree has links whose target is gone
        // (api/x64/bits/endian.h in v0.57.0), which are skipped.
        string target = Path.Combine(output, "include");
        var dangling = new List<string>();
        foreach (string file in Directory.EnumerateFiles(include, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(include, file);
            if (new FileInfo(file).LinkTarget is not null && new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
            {
                dangling.Add(relative);
                continue;
            }

            string destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }

        if (dangling.Count > 0)
        {
            diagnostics.Warning(
                KernelDiagnosticCodes.MissingBuildOutput,
                $"{dangling.Count} header link(s) in '{include}' point to no file and were left out of the bundle: {string.Join(", ", dangling.Order(StringComparer.Ordinal))}.");
        }

        return ["include"];
    }

    private static string Lowercase(FileSystemKind kind) => kind.ToString().ToLowerInvariant();
}
