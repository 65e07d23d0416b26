using ELFSharp.ELF;
using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Adds to the plan, from the host, every library a DT_NEEDED entry names that the kernel does not
/// provide and the image lacks, and then the libraries those need, until nothing is missing.
/// </summary>
/// <remarks>
/// A name counts as present when OSv's search (see <see cref="GuestLoader"/>) finds it from the object
/// that needs it, or when a file of the plan has it as its DT_SONAME; in the second case the guest
/// simulation reports whether OSv actually reaches that file. A library found on the host is copied
/// from the file behind its symbolic links and named by the DT_NEEDED value, which is the name OSv
/// opens, in <see cref="ElfAnalysisOptions.GuestLibraryDirectory"/>.
/// </remarks>
internal sealed class HostClosure
{
    private readonly ImagePlan _plan;
    private readonly GuestTree _tree;
    private readonly ElfCatalog _catalog;
    private readonly KernelProfile _profile;
    private readonly ElfAnalysisOptions _options;
    private readonly HostLibrarySearch _search;
    private readonly Dictionary<string, string> _sonames = new(StringComparer.Ordinal);

    public HostClosure(ImagePlan plan, GuestTree tree, ElfCatalog catalog, KernelProfile profile, ElfAnalysisOptions options)
    {
        _plan = plan;
        _tree = tree;
        _catalog = catalog;
        _profile = profile;
        _options = options;
        _search = new HostLibrarySearch(new HostFileSystem(options.Sysroot), catalog, options);
    }

    /// <summary>A DT_NEEDED that was found neither in the image nor on the host.</summary>
    /// <param name="Name">The DT_NEEDED value.</param>
    /// <param name="RequesterGuestPath">The guest path of the object that needs it.</param>
    /// <param name="RequesterHostPath">The host file of that object.</param>
    /// <param name="Chain">The guest paths from the plan file that started the walk down to the requester.</param>
    /// <param name="Detail">The folders searched and the candidates skipped, as a sentence.</param>
    internal sealed record Missing(string Name, string RequesterGuestPath, string RequesterHostPath, IReadOnlyList<string> Chain, string Detail);

    // One object whose DT_NEEDED entries are walked.
    private sealed record WorkItem(string GuestPath, string HostPath, ElfFile File, HostLibrarySearch.Requester Requester, IReadOnlyList<string> Chain);

    /// <summary>Gets the guest paths added to the plan, in order.</summary>
    public List<string> Added { get; } = [];

    /// <summary>Gets the names found nowhere.</summary>
    public List<Missing> NotFound { get; } = [];

    /// <summary>Walks every loadable object of the plan and adds what is missing; the OSV2012 notes go to <paramref name="diagnostics"/>.</summary>
    public void Run(DiagnosticBag diagnostics)
    {
        var queue = new Queue<WorkItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (GuestFile node in _plan.Files.ToArray())
        {
            if (_catalog.Get(node.HostPath).File is not { } file)
            {
                continue;
            }

            if (file.Soname is { } soname)
            {
                _sonames.TryAdd(soname, node.GuestPath);
            }

            if (IsWalkable(file) && seen.Add(node.GuestPath))
            {
                string origin = Path.GetDirectoryName(node.HostPath) ?? "/";
                queue.Enqueue(new WorkItem(node.GuestPath, node.HostPath, file, new HostLibrarySearch.Requester(file, origin, null), [node.GuestPath]));
            }
        }

        while (queue.Count > 0)
        {
            WorkItem item = queue.Dequeue();
            foreach (string name in item.File.Needed)
            {
                if (_profile.ProvidedSonames.Contains(name) || IsPresent(item, name))
                {
                    continue;
                }

                if (AddFromHost(item, name, diagnostics) is { } added && seen.Add(added.GuestPath))
                {
                    queue.Enqueue(added);
                }
            }
        }
    }

    // Only objects OSv can load have DT_NEEDED entries worth following.
    private bool IsWalkable(ElfFile file) =>
        file.Kind is ElfKind.SharedObject or ElfKind.PositionIndependentExecutable or ElfKind.Executable
        && file.Class == Class.Bit64
        && (ushort)file.Machine == _profile.Machine;

    // OSv's search from the requester (see GuestLoader), or a plan file that carries the name as its soname.
    private bool IsPresent(WorkItem item, string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            string path = name[0] == '/' ? name : _options.GuestWorkingDirectory.TrimEnd('/') + "/" + name;
            return _tree.TryResolveFile(path, out _, out _);
        }

        string? rpath = item.File.RunPath ?? item.File.RPath;
        IEnumerable<string> directories = string.IsNullOrEmpty(rpath)
            ? []
            : rpath.Replace("$ORIGIN", GuestLoader.ParentOf(item.GuestPath), StringComparison.Ordinal).Split(':');
        foreach (string directory in directories.Concat(["/", "/usr/lib"]))
        {
            string joined = directory + "/" + name;
            string path = joined[0] == '/' ? joined : _options.GuestWorkingDirectory.TrimEnd('/') + "/" + joined;
            if (_tree.TryResolveFile(path, out _, out _))
            {
                return true;
            }
        }

        return _sonames.ContainsKey(name);
    }

    // Searches the host and adds the library to the plan; records it as missing when nothing is found.
    private WorkItem? AddFromHost(WorkItem item, string name, DiagnosticBag diagnostics)
    {
        string guestPath;
        HostLibrarySearch.Result result;
        if (name.Contains('/', StringComparison.Ordinal))
        {
            if (name[0] != '/')
            {
                NotFound.Add(new Missing(name, item.GuestPath, item.HostPath, item.Chain,
                    $"it is a relative path, which OSv opens from the working directory ({_options.GuestWorkingDirectory}) and which has no host counterpart; add the file to the manifest at that path"));
                return null;
            }

            guestPath = name;
            result = _search.SearchPath(name, item.Requester);
        }
        else
        {
            guestPath = _options.GuestLibraryDirectory.TrimEnd('/') + "/" + name;
            result = _search.Search(name, item.Requester);
        }

        if (result.RealPath is null || result.File is null || result.FoundPath is null)
        {
            string rejected = result.Rejected.Count == 0 ? string.Empty : $"; skipped {string.Join(", ", result.Rejected)}";
            NotFound.Add(new Missing(name, item.GuestPath, item.HostPath, item.Chain,
                $"searched {string.Join(", ", result.Searched)}{rejected}"));
            return null;
        }

        if (_plan.Find(guestPath) is not null)
        {
            NotFound.Add(new Missing(name, item.GuestPath, item.HostPath, item.Chain,
                $"{result.FoundPath} was found on the host, but {guestPath} is already taken in the image by an entry OSv cannot load it from"));
            return null;
        }

        long size = new FileInfo(result.RealPath).Length;
        string reason = $"DT_NEEDED of {item.GuestPath}";
        GuestFile added;
        try
        {
            added = _plan.AddFile(guestPath, result.RealPath, size, origin: null, reason);
        }
        catch (InvalidOperationException e)
        {
            NotFound.Add(new Missing(name, item.GuestPath, item.HostPath, item.Chain,
                $"{result.FoundPath} was found on the host but cannot be added at {guestPath}: {e.Message}"));
            return null;
        }

        Added.Add(added.GuestPath);
        if (result.File.Soname is { } soname)
        {
            _sonames.TryAdd(soname, added.GuestPath);
        }

        diagnostics.Add(new Diagnostic(
            ElfDiagnosticCodes.LibraryAdded,
            DiagnosticSeverity.Info,
            $"Added {added.GuestPath} from {result.RealPath}: {reason}.",
            new SourceLocation(result.RealPath))
        {
            Chain = [.. item.Chain, added.GuestPath],
        });

        string origin = Path.GetDirectoryName(result.FoundPath) ?? "/";
        var requester = new HostLibrarySearch.Requester(result.File, origin, item.Requester);
        return new WorkItem(added.GuestPath, result.RealPath, result.File, requester, [.. item.Chain, added.GuestPath]);
    }
}
