using System.Buffers.Binary;
using System.Globalization;
using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.FileSystems;
using Osv.Plan;

namespace Osv.ImageBuilder.Kernel;

// Reads osv-kernel.yaml and checks every value and every file it names.
internal static class KernelBundleLoader
{
    // The largest description file read, in bytes; a real one is a few kilobytes.
    private const long MaxDescriptionBytes = 4L << 20;

    // Loads a bundle folder.
    public static KernelBundle? Load(string folder, DiagnosticBag diagnostics)
    {
        string root = Path.GetFullPath(folder);
        string descriptionPath = Path.Combine(root, KernelBundle.DescriptionFileName);
        if (!File.Exists(descriptionPath))
        {
            diagnostics.Error(
                KernelDiagnosticCodes.BundleNotFound,
                $"'{descriptionPath}' does not exist; pass a kernel bundle folder, or make one from an OSv build with 'dotnet osv kernel import'.",
                new SourceLocation(root));
            return null;
        }

        if (new FileInfo(descriptionPath).Length > MaxDescriptionBytes)
        {
            diagnostics.Error(KernelDiagnosticCodes.InvalidYaml, $"The kernel description is larger than {MaxDescriptionBytes} bytes; it is not an osv-kernel.yaml.", new SourceLocation(descriptionPath));
            return null;
        }

        string text = File.ReadAllText(descriptionPath);
        return Parse(text, descriptionPath, root, diagnostics);
    }

    // Checks the built-in generic profile like a bundle; a failure is a defect of the build, so it throws.
    public static KernelBundle LoadGeneric()
    {
        var diagnostics = new DiagnosticBag();
        KernelBundle? bundle = Build(GenericKernelProfile.Create(), "the built-in generic profile", folder: null, diagnostics);
        return bundle ?? throw new InvalidOperationException("The built-in generic kernel profile is invalid: " + string.Join("; ", diagnostics));
    }

    // Parses and validates a description; folder is null for the embedded profile, which may name no files.
    internal static KernelBundle? Parse(string text, string descriptionPath, string? folder, DiagnosticBag diagnostics)
    {
        KernelBundleDescription? description;
        try
        {
            description = KernelDescriptionReader.Read(text);
        }
        catch (KernelDescriptionReader.ShapeException exception)
        {
            diagnostics.Error(
                KernelDiagnosticCodes.InvalidYaml,
                $"The kernel description is invalid: {exception.Message} Fix the line, or compare with a bundle made by 'dotnet osv kernel import'.",
                new SourceLocation(descriptionPath, exception.Line, exception.Column));
            return null;
        }
        if (description is null)
        {
            diagnostics.Error(KernelDiagnosticCodes.InvalidYaml, "The kernel description is empty.", new SourceLocation(descriptionPath));
            return null;
        }

        return Build(description, descriptionPath, folder, diagnostics);
    }

    // Checks a description and turns it into a bundle; folder is null for the built-in profile.
    private static KernelBundle? Build(KernelBundleDescription description, string descriptionPath, string? folder, DiagnosticBag diagnostics)
    {
        var location = new SourceLocation(descriptionPath);
        int errorsBefore = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var check = new Checker(diagnostics, location, folder);

        if (description.FormatVersion != 1)
        {
            check.Fail("formatVersion", $"is {description.FormatVersion?.ToString(CultureInfo.InvariantCulture) ?? "missing"}; this toolchain reads version 1");
        }

        string architecture = check.Required("architecture", description.Architecture) ?? string.Empty;
        ushort machine = 0;
        if (description.Machine is not { } machineValue || machineValue <= 0 || machineValue > ushort.MaxValue)
        {
            check.Fail("machine", "must be the ELF e_machine number of the kernel, for example 62 for x86-64");
        }
        else
        {
            machine = (ushort)machineValue;
        }

        bool acceptsExecutables = ReadElfTypes(description.AcceptedElfTypes, check);
        ulong kernelStart = check.Address("kernelAddress.start", description.KernelAddress?.Start);
        ulong kernelEnd = check.Address("kernelAddress.end", description.KernelAddress?.End);
        if (kernelEnd <= kernelStart && description.KernelAddress?.End is not null)
        {
            check.Fail("kernelAddress.end", $"0x{kernelEnd:X} must be above kernelAddress.start 0x{kernelStart:X}");
        }

        long commandLineOffset = description.CommandLine?.Offset ?? 0;
        long commandLineMax = description.CommandLine?.MaxBytes ?? 0;
        if (commandLineOffset < MbrLayout.SectorSize || commandLineMax < 2)
        {
            check.Fail("commandLine", "needs an offset of at least 512 and maxBytes of at least 2, for example offset: 512 and maxBytes: 32256");
        }

        List<FileSystemKind> fileSystems = ReadFileSystems(description.Filesystems, "filesystems", check, required: true);
        string pool = description.Zfs?.Pool ?? "osv";
        string rootDataset = description.Zfs?.RootDataset ?? pool;
        if (rootDataset != pool && !rootDataset.StartsWith(pool + "/", StringComparison.Ordinal))
        {
            check.Fail("zfs.rootDataset", $"'{rootDataset}' must be the pool '{pool}' or a dataset inside it, such as '{pool}/zfs'");
        }

        var sonames = new HashSet<string>(description.ProvidedSonames ?? [], StringComparer.Ordinal);
        IReadOnlySet<string>? symbols = null;
        if (description.ExportedSymbols is { } symbolsFile && check.File("exportedSymbols", symbolsFile) is { } symbolsPath)
        {
            symbols = File.ReadLines(symbolsPath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
        }

        string? bootImage = description.BootImage is null ? null : check.File("bootImage", description.BootImage);
        if (bootImage is not null)
        {
            CheckBootImage(bootImage, commandLineOffset, commandLineMax, diagnostics);
        }

        string? kernelElf = description.KernelElf is null ? null : check.File("kernelElf", description.KernelElf);
        var headers = new List<string>();
        foreach (string header in description.Headers ?? [])
        {
            if (check.Folder("headers", header) is { } headerPath)
            {
                headers.Add(headerPath);
            }
        }

        List<KernelBaseFile> baseFiles = ReadBaseFiles(description.BaseFiles, check);

        if (diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error) > errorsBefore)
        {
            return null;
        }

        return new KernelBundle
        {
            Name = description.Name ?? Path.GetFileName(folder) ?? "kernel",
            Folder = folder,
            Profile = new KernelProfile
            {
                Architecture = architecture,
                Machine = machine,
                AcceptsExecutables = acceptsExecutables,
                KernelStart = kernelStart,
                KernelEnd = kernelEnd,
                ProvidedSonames = sonames,
                ExportedSymbols = symbols,
                Version = description.OsvVersion,
            },
            BootImagePath = bootImage,
            KernelElfPath = kernelElf,
            CommandLineOffset = commandLineOffset,
            CommandLineMaxBytes = commandLineMax,
            FileSystems = fileSystems,
            ZfsPool = pool,
            ZfsRootDataset = rootDataset,
            BaseFiles = baseFiles,
            HeaderDirectories = headers,
        };
    }

    // Reads acceptedElfTypes: dyn is required, exec is optional.
    private static bool ReadElfTypes(List<string>? types, Checker check)
    {
        if (types is null || types.Count == 0)
        {
            check.Fail("acceptedElfTypes", "is missing; list [dyn] or [dyn, exec]");
            return false;
        }

        bool exec = false;
        bool dyn = false;
        foreach (string type in types)
        {
            switch (type.ToLowerInvariant())
            {
                case "dyn" or "et_dyn":
                    dyn = true;
                    break;
                case "exec" or "et_exec":
                    exec = true;
                    break;
                default:
                    check.Fail("acceptedElfTypes", $"has the unknown type '{type}'; use dyn or exec");
                    break;
            }
        }

        if (!dyn)
        {
            check.Fail("acceptedElfTypes", "must include dyn: every OSv kernel loads shared objects");
        }

        return exec;
    }

    // Reads a list of filesystem names.
    private static List<FileSystemKind> ReadFileSystems(List<string>? names, string key, Checker check, bool required)
    {
        var result = new List<FileSystemKind>();
        if (names is null || names.Count == 0)
        {
            if (required)
            {
                check.Fail(key, "is missing; list the filesystems the kernel mounts, for example [rofs, zfs]");
            }

            return result;
        }

        foreach (string name in names)
        {
            if (Enum.TryParse(name, ignoreCase: true, out FileSystemKind kind) && Enum.IsDefined(kind))
            {
                result.Add(kind);
            }
            else
            {
                check.Fail(key, $"has the unknown filesystem '{name}'; use rofs, zfs or ramfs");
            }
        }

        return result;
    }

    // Reads the base files; each has exactly one of host, content, link and directory.
    private static List<KernelBaseFile> ReadBaseFiles(List<KernelBundleDescription.BaseFile>? entries, Checker check)
    {
        var result = new List<KernelBaseFile>();
        foreach (KernelBundleDescription.BaseFile entry in entries ?? [])
        {
            string key = $"baseFiles[{result.Count}]";
            if (entry.Guest is null)
            {
                check.Fail(key + ".guest", "is missing");
                continue;
            }

            if (!GuestPaths.TryNormalize(entry.Guest, out string guestPath, out string? error))
            {
                check.Fail(key + ".guest", error!);
                continue;
            }

            int sources = (entry.Host is null ? 0 : 1) + (entry.Content is null ? 0 : 1) + (entry.Link is null ? 0 : 1) + (entry.Directory == true ? 1 : 0);
            if (sources != 1)
            {
                check.Fail(key, $"for '{guestPath}' must have exactly one of host, content, link and directory: true");
                continue;
            }

            List<FileSystemKind> fileSystems = ReadFileSystems(entry.Filesystems, key + ".filesystems", check, required: false);
            if (entry.Host is not null)
            {
                if (check.File(key + ".host", entry.Host) is { } hostPath)
                {
                    result.Add(new KernelBaseFile(guestPath, KernelBaseFileKind.File, hostPath, fileSystems));
                }
            }
            else if (entry.Content is not null)
            {
                result.Add(new KernelBaseFile(guestPath, KernelBaseFileKind.Content, entry.Content, fileSystems));
            }
            else if (entry.Link is not null)
            {
                result.Add(new KernelBaseFile(guestPath, KernelBaseFileKind.Symlink, entry.Link, fileSystems));
            }
            else
            {
                result.Add(new KernelBaseFile(guestPath, KernelBaseFileKind.Directory, null, fileSystems));
            }
        }

        return result;
    }

    // Checks that the boot image is a boot sector with room for the command line.
    private static void CheckBootImage(string path, long commandLineOffset, long commandLineMax, DiagnosticBag diagnostics)
    {
        var location = new SourceLocation(path);
        long length = new FileInfo(path).Length;
        if (length < commandLineOffset + commandLineMax)
        {
            diagnostics.Error(
                KernelDiagnosticCodes.InvalidBootImage,
                $"The boot image is {length} bytes long, shorter than the command line area that ends at byte {commandLineOffset + commandLineMax}; use the loader.img of an OSv build.",
                location);
            return;
        }

        Span<byte> signature = stackalloc byte[MbrLayout.SignatureLength];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            stream.Position = MbrLayout.SignatureOffset;
            stream.ReadExactly(signature);
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(signature) != MbrLayout.Signature)
        {
            diagnostics.Error(
                KernelDiagnosticCodes.InvalidBootImage,
                $"The boot image has no boot signature 0x55AA at byte {MbrLayout.SignatureOffset}; use the loader.img of an OSv build.",
                location);
        }
    }

    // Reports problems with one key at a time and resolves paths inside the bundle folder.
    private sealed class Checker(DiagnosticBag diagnostics, SourceLocation location, string? folder)
    {
        public void Fail(string key, string problem) =>
            diagnostics.Error(KernelDiagnosticCodes.InvalidValue, $"The key '{key}' {problem}.", location);

        public string? Required(string key, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Fail(key, "is missing");
                return null;
            }

            return value;
        }

        public ulong Address(string key, string? value)
        {
            if (value is null)
            {
                Fail(key, "is missing; write a hexadecimal address such as \"0x40200000\"");
                return 0;
            }

            string digits = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
            if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong address))
            {
                Fail(key, $"'{value}' is not a hexadecimal address such as \"0x40200000\"");
                return 0;
            }

            return address;
        }

        public string? File(string key, string relativePath) => Resolve(key, relativePath, directory: false);

        public string? Folder(string key, string relativePath) => Resolve(key, relativePath, directory: true);

        // Resolves a path relative to the bundle and rejects one that leaves it.
        private string? Resolve(string key, string relativePath, bool directory)
        {
            if (folder is null)
            {
                Fail(key, "names a file, but the built-in profile has no folder");
                return null;
            }

            string full = Path.GetFullPath(Path.Combine(folder, relativePath));
            string prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
            if (!full.StartsWith(prefix, StringComparison.Ordinal))
            {
                diagnostics.Error(KernelDiagnosticCodes.MissingFile, $"The key '{key}' names '{relativePath}', which lies outside the bundle folder; copy the file into the bundle.", location);
                return null;
            }

            bool exists = directory ? Directory.Exists(full) : System.IO.File.Exists(full);
            if (!exists)
            {
                diagnostics.Error(KernelDiagnosticCodes.MissingFile, $"The key '{key}' names '{relativePath}', but '{full}' does not exist.", location);
                return null;
            }

            return full;
        }
    }
}
