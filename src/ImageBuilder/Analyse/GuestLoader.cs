using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Replays OSv's loader (program::load_object() and object::load_needed() in core/elf.cc) over the
/// finished plan for one program: which guest file each DT_NEEDED opens, in which order objects are
/// loaded, and which names do not load.
/// </summary>
/// <remarks>
/// OSv's rules: a name already loaded (by canonical path or by DT_SONAME) or provided by the kernel is
/// reused; a name without <c>/</c> is searched in the folders of DT_RUNPATH, or DT_RPATH when there is
/// no DT_RUNPATH, with <c>$ORIGIN</c> replaced by the object's folder, then in <c>/</c> and
/// <c>/usr/lib</c>; a name with <c>/</c> is opened as a path (relative to the working directory).
/// Objects are loaded depth-first: each object's DT_NEEDED entries are loaded, recursively, before the
/// next entry of its parent, and each new object joins the global lookup scope at the end, before the
/// kernel. A statically linked executable loads no DT_NEEDED objects.
/// </remarks>
internal sealed class GuestLoader
{
    // program::program() sets this search path; DT_RUNPATH or DT_RPATH folders come first.
    private static readonly string[] s_defaultSearchPath = ["/", "/usr/lib"];

    private readonly GuestTree _tree;
    private readonly ElfCatalog _catalog;
    private readonly KernelProfile _profile;
    private readonly string _workingDirectory;
    private readonly Dictionary<string, LoadedObject> _byName = new(StringComparer.Ordinal);
    private readonly List<LoadedObject> _order = [];
    private readonly List<LoadFailure> _failures = [];

    public GuestLoader(GuestTree tree, ElfCatalog catalog, KernelProfile profile, string workingDirectory)
    {
        _tree = tree;
        _catalog = catalog;
        _profile = profile;
        _workingDirectory = workingDirectory;
    }

    /// <summary>An object the simulated loader opened.</summary>
    /// <param name="GuestPath">The canonical guest path.</param>
    /// <param name="Node">The plan file.</param>
    /// <param name="File">Its ELF facts.</param>
    /// <param name="Chain">The guest paths from the program down to this object, this object last.</param>
    internal sealed record LoadedObject(string GuestPath, GuestFile Node, ElfFile File, IReadOnlyList<string> Chain)
    {
        /// <summary>Gets how each DT_NEEDED of the object resolved, in DT_NEEDED order.</summary>
        public List<NeededResolution> Needed { get; } = [];

        /// <summary>Gets the objects each resolved DT_NEEDED loaded, by name.</summary>
        public Dictionary<string, LoadedObject> NeededObjects { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A DT_NEEDED that does not load, or a found file that is not a loadable ELF object.</summary>
    /// <param name="Name">The DT_NEEDED value.</param>
    /// <param name="Requester">The object whose DT_NEEDED it is.</param>
    /// <param name="SearchedPaths">The guest paths the loader tried.</param>
    /// <param name="FoundPath">The guest file found, when it exists but is not a valid ELF object.</param>
    internal sealed record LoadFailure(string Name, LoadedObject Requester, IReadOnlyList<string> SearchedPaths, string? FoundPath);

    /// <summary>Gets the objects in load order, the program first; this is also OSv's lookup order (the kernel follows them).</summary>
    public IReadOnlyList<LoadedObject> Order => _order;

    /// <summary>Gets the DT_NEEDED entries that did not load.</summary>
    public IReadOnlyList<LoadFailure> Failures => _failures;

    /// <summary>Loads <paramref name="program"/> and everything it needs.</summary>
    /// <returns>The program's object, or null when it is not in the plan or is not ELF.</returns>
    public LoadedObject? LoadProgram(string program) => LoadObject(program, [], requester: null, out _, out _);

    // program::load_object(): reuse, search, open, then load the object's own DT_NEEDED entries.
    private LoadedObject? LoadObject(string name, IReadOnlyList<string> searchPath, LoadedObject? requester, out List<string> searched, out string? invalidPath)
    {
        searched = [];
        invalidPath = null;
        if (_byName.TryGetValue(name, out LoadedObject? loaded))
        {
            return loaded;
        }

        string? canonical = null;
        GuestFile? node = null;
        if (!name.Contains('/', StringComparison.Ordinal))
        {
            foreach (string directory in searchPath.Concat(s_defaultSearchPath))
            {
                string candidate = Join(directory, name);
                searched.Add(Lexical(candidate));
                if (_tree.TryResolveFile(candidate, out canonical, out node))
                {
                    break;
                }
            }
        }
        else
        {
            string candidate = name[0] == '/' ? name : Join(_workingDirectory, name);
            searched.Add(Lexical(candidate));
            _tree.TryResolveFile(candidate, out canonical, out node);
        }

        if (canonical is null || node is null)
        {
            return null;
        }

        if (_byName.TryGetValue(canonical, out loaded))
        {
            return loaded;
        }

        if (_catalog.Get(node.HostPath).File is not { } file)
        {
            invalidPath = canonical;
            return null;
        }

        IReadOnlyList<string> chain = requester is null ? [canonical] : [.. requester.Chain, canonical];
        var loadedObject = new LoadedObject(canonical, node, file, chain);
        _order.Add(loadedObject);

        // NOTE: OSv records the object under its path and soname only after its DT_NEEDED entries are
        // loaded, so a DT_NEEDED cycle would recurse there. Here the path is recorded first, and a cycle
        // ends at the object being loaded.
        _byName[canonical] = loadedObject;
        if (file.Kind != ElfKind.StaticExecutable && file.Soname != DynamicLinkerSoname(_profile))
        {
            LoadNeeded(loadedObject);
        }

        if (file.Soname is { Length: > 0 } soname)
        {
            _byName.TryAdd(soname, loadedObject);
        }

        return loadedObject;
    }

    // object::load_needed(): the DT_RUNPATH (or DT_RPATH) folders with $ORIGIN replaced, then each DT_NEEDED.
    private void LoadNeeded(LoadedObject loadedObject)
    {
        string? rpath = loadedObject.File.RunPath ?? loadedObject.File.RPath;
        string[] searchPath = [];
        if (!string.IsNullOrEmpty(rpath))
        {
            string origin = ParentOf(loadedObject.GuestPath);
            searchPath = rpath.Replace("$ORIGIN", origin, StringComparison.Ordinal).Split(':');
        }

        foreach (string name in loadedObject.File.Needed)
        {
            if (_profile.ProvidedSonames.Contains(name))
            {
                loadedObject.Needed.Add(new NeededResolution(name, null, ProvidedByKernel: true));
                continue;
            }

            LoadedObject? needed = LoadObject(name, searchPath, loadedObject, out List<string> searched, out string? invalidPath);
            loadedObject.Needed.Add(new NeededResolution(name, needed?.GuestPath, ProvidedByKernel: false));
            if (needed is null)
            {
                _failures.Add(new LoadFailure(name, loadedObject, searched, invalidPath));
            }
            else
            {
                loadedObject.NeededObjects.TryAdd(name, needed);
            }
        }
    }

    /// <summary>Returns the soname of the dynamic linker, whose DT_NEEDED entries OSv never loads (object::is_linux_dl()).</summary>
    internal static string DynamicLinkerSoname(KernelProfile profile) => profile.Architecture switch
    {
        "aarch64" => "ld-linux-aarch64.so.1",
        _ => "ld-linux-x86-64.so.2",
    };

    // OSv joins with a plain "/" (dir + "/" + name); a relative folder is taken from the working directory.
    private string Join(string directory, string name)
    {
        string joined = directory + "/" + name;
        return joined[0] == '/' ? joined : Join(_workingDirectory, joined);
    }

    // Shows a tried path without repeated slashes, "." or "..", as a reader of the finding expects.
    private static string Lexical(string path)
    {
        var components = new List<string>();
        foreach (string component in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (component == "..")
            {
                if (components.Count > 0)
                {
                    components.RemoveAt(components.Count - 1);
                }
            }
            else if (component != ".")
            {
                components.Add(component);
            }
        }

        return "/" + string.Join('/', components);
    }

    internal static string ParentOf(string guestPath)
    {
        int slash = guestPath.LastIndexOf('/');
        return slash <= 0 ? "/" : guestPath[..slash];
    }

    /// <summary>Returns the diagnostic location of a loaded object: its host file.</summary>
    internal static SourceLocation LocationOf(LoadedObject loadedObject) => new(loadedObject.Node.HostPath);
}
