using ELFSharp.ELF;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Finds the host file for a DT_NEEDED name in the order glibc's loader searches (elf/dl-load.c
/// _dl_map_object()): the DT_RPATH of the requesting object and of the objects that loaded it, unless
/// the requester has DT_RUNPATH; the user's library paths (as LD_LIBRARY_PATH); the requester's
/// DT_RUNPATH; the folders of <c>/etc/ld.so.conf</c> (which glibc reaches through its cache); and the
/// default folders. A candidate of another ELF class or machine is skipped, as glibc skips it.
/// </summary>
/// <remarks>
/// NOTE: glibc also tries the glibc-hwcaps and legacy hardware-capability subfolders of each folder
/// (for example <c>glibc-hwcaps/x86-64-v3</c>); they are not searched here, so a library that exists
/// only there is reported as not found.
/// </remarks>
internal sealed class HostLibrarySearch
{
    private readonly HostFileSystem _fileSystem;
    private readonly ElfCatalog _catalog;
    private readonly ElfAnalysisOptions _options;
    private IReadOnlyList<string>? _ldSoConfDirectories;

    public HostLibrarySearch(HostFileSystem fileSystem, ElfCatalog catalog, ElfAnalysisOptions options)
    {
        _fileSystem = fileSystem;
        _catalog = catalog;
        _options = options;
    }

    /// <summary>One object of the chain that requests a library: its facts and the host folder it was found in ($ORIGIN).</summary>
    internal sealed record Requester(ElfFile File, string OriginDirectory, Requester? LoadedBy);

    /// <summary>The outcome of one search.</summary>
    /// <param name="FoundPath">The path the library was found at, before symbolic links are resolved (its $ORIGIN is this folder).</param>
    /// <param name="RealPath">The regular file behind <paramref name="FoundPath"/>.</param>
    /// <param name="File">Its ELF facts.</param>
    /// <param name="Searched">The folders searched, in order.</param>
    /// <param name="Rejected">Candidates skipped because of their class or machine, with the reason.</param>
    internal sealed record Result(string? FoundPath, string? RealPath, ElfFile? File, IReadOnlyList<string> Searched, IReadOnlyList<string> Rejected);

    /// <summary>Searches for <paramref name="name"/> (a DT_NEEDED value without <c>/</c>) on behalf of <paramref name="requester"/>.</summary>
    public Result Search(string name, Requester requester)
    {
        var searched = new List<string>();
        var rejected = new List<string>();
        foreach (string directory in Directories(requester))
        {
            if (searched.Contains(directory))
            {
                continue;
            }

            searched.Add(directory);
            string candidate = directory.TrimEnd('/') + "/" + name;
            bool insideRoot = candidate.StartsWith(_fileSystem.Root, StringComparison.Ordinal);
            if (_fileSystem.ResolveFile(candidate, insideRoot) is not { } real)
            {
                continue;
            }

            ElfCatalog.Entry entry = _catalog.Get(real);
            if (entry.File is not { } file)
            {
                rejected.Add($"{candidate} ({(entry.Error is null ? "not an ELF file" : "invalid ELF")})");
                continue;
            }

            if (file.Class != requester.File.Class || file.Machine != requester.File.Machine)
            {
                rejected.Add($"{candidate} ({Describe(file)}, but {requester.File.Path} is {Describe(requester.File)})");
                continue;
            }

            return new Result(candidate, real, file, searched, rejected);
        }

        return new Result(null, null, null, searched, rejected);
    }

    /// <summary>Finds the host file for an absolute DT_NEEDED path, inside the sysroot.</summary>
    public Result SearchPath(string absoluteName, Requester requester)
    {
        string candidate = _fileSystem.MapIntoRoot(absoluteName);
        string? real = _fileSystem.ResolveFile(candidate, insideRoot: true);
        if (real is not null && _catalog.Get(real).File is { } file && file.Class == requester.File.Class && file.Machine == requester.File.Machine)
        {
            return new Result(candidate, real, file, [candidate], []);
        }

        return new Result(null, null, null, [candidate], real is null ? [] : [$"{candidate} (not an ELF object of the same class and machine)"]);
    }

    // The folders in glibc's order, expanded and mapped to host paths.
    private IEnumerable<string> Directories(Requester requester)
    {
        if (requester.File.RunPath is null)
        {
            for (Requester? loader = requester; loader is not null; loader = loader.LoadedBy)
            {
                if (loader.File.RunPath is null && loader.File.RPath is { } rpath)
                {
                    foreach (string directory in Expand(rpath, loader))
                    {
                        yield return directory;
                    }
                }
            }
        }

        foreach (string directory in _options.LibraryPaths)
        {
            yield return directory;
        }

        if (requester.File.RunPath is { } runpath)
        {
            foreach (string directory in Expand(runpath, requester))
            {
                yield return directory;
            }
        }

        if (_options.UseLdSoConf)
        {
            _ldSoConfDirectories ??= LdSoConf.ReadDirectories(_fileSystem);
            foreach (string directory in _ldSoConfDirectories)
            {
                yield return _fileSystem.MapIntoRoot(directory);
            }
        }

        foreach (string directory in _options.DefaultLibraryPaths ?? DefaultDirectories(requester.File.Machine))
        {
            yield return _fileSystem.MapIntoRoot(directory);
        }
    }

    // Splits a DT_RPATH or DT_RUNPATH and expands its tokens. A folder that comes from $ORIGIN is a
    // host path already; any other absolute folder is a path inside the sysroot.
    private IEnumerable<string> Expand(string searchPath, Requester owner)
    {
        var values = new DynamicStringTokens.Values(owner.OriginDirectory, LibValue(owner.File.Machine), PlatformValue(owner.File.Machine));
        foreach (string entry in searchPath.Split(':'))
        {
            // glibc treats an empty entry as the current directory; a build's working directory has
            // no meaning for the image, so it is skipped.
            if (entry.Length == 0)
            {
                continue;
            }

            string expanded = DynamicStringTokens.ExpandLikeGlibc(entry, values);
            bool fromOrigin = entry.StartsWith("$ORIGIN", StringComparison.Ordinal) || entry.StartsWith("${ORIGIN}", StringComparison.Ordinal);
            if (!expanded.StartsWith('/'))
            {
                continue;
            }

            yield return fromOrigin ? expanded : _fileSystem.MapIntoRoot(expanded);
        }
    }

    /// <summary>Returns glibc's built-in library folders on Debian for a machine (the "system search path" of ld.so --help).</summary>
    internal static IReadOnlyList<string> DefaultDirectories(Machine machine)
    {
        string? triplet = MultiarchTriplet(machine);
        return triplet is null
            ? ["/lib64", "/usr/lib64", "/lib", "/usr/lib"]
            : [$"/lib/{triplet}", $"/usr/lib/{triplet}", "/lib", "/usr/lib"];
    }

    // Debian's glibc expands $LIB to lib/<multiarch triplet>.
    private static string LibValue(Machine machine) => MultiarchTriplet(machine) is { } triplet ? "lib/" + triplet : "lib64";

    // glibc sets $PLATFORM from AT_PLATFORM, which Linux gives as the architecture name.
    private static string PlatformValue(Machine machine) => machine switch
    {
        Machine.AArch64 => "aarch64",
        _ => "x86_64",
    };

    private static string? MultiarchTriplet(Machine machine) => machine switch
    {
        Machine.AMD64 => "x86_64-linux-gnu",
        Machine.AArch64 => "aarch64-linux-gnu",
        _ => null,
    };

    private static string Describe(ElfFile file) => $"{(file.Class == Class.Bit64 ? "64-bit" : "32-bit")} {file.Machine}";
}
