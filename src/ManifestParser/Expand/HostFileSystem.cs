using System.Diagnostics;

namespace Osv.Manifests.Expand;

/// <summary>The outcome of resolving a host path to its physical path.</summary>
/// <param name="Path">The absolute path without symbolic links, <c>.</c> or <c>..</c>; null when resolution failed.</param>
/// <param name="Failure">Why resolution failed, or null.</param>
/// <param name="FailedAt">The path component where resolution failed.</param>
internal readonly record struct RealPathResult(string? Path, RealPathFailure? Failure, string? FailedAt);

/// <summary>Why <see cref="HostFileSystem.RealPath"/> failed.</summary>
internal enum RealPathFailure
{
    /// <summary>A component does not exist.</summary>
    Missing,

    /// <summary>A component that must be a directory is a file.</summary>
    NotDirectory,

    /// <summary>More than <see cref="HostFileSystem.MaxSymlinkHops"/> symbolic links, as Linux reports ELOOP.</summary>
    Loop,

    /// <summary>A component cannot be read (permissions or I/O).</summary>
    Unreadable,
}

/// <summary>
/// Host file queries with POSIX semantics. .NET's File and Directory APIs collapse <c>..</c> lexically
/// before they ask the kernel, so <c>link/../x</c> would name the wrong file after a directory symbolic
/// link; the methods here resolve each component physically, as the kernel does for OSv's Python scripts.
/// </summary>
internal static class HostFileSystem
{
    /// <summary>The maximum number of symbolic links followed in one resolution, as Linux's MAXSYMLINKS.</summary>
    public const int MaxSymlinkHops = 40;

    // The lstat results of the current thread's lookup scope, or null outside one.
    [ThreadStatic]
    private static Dictionary<string, HostEntryKind>? t_lstatCache;

    /// <summary>
    /// Remembers what <see cref="Lstat"/> finds on this thread until the returned scope is disposed. Use it
    /// around work that reads the host tree but does not change it; a scope inside a scope shares the outer cache.
    /// </summary>
    public static LookupCache CacheLookups()
    {
        if (t_lstatCache is not null)
        {
            return new LookupCache(owner: false);
        }

        t_lstatCache = new Dictionary<string, HostEntryKind>(StringComparer.Ordinal);
        return new LookupCache(owner: true);
    }

    /// <summary>Returns what the absolute path <paramref name="physicalPath"/> names, without following a final link.</summary>
    /// <remarks>The path must contain no <c>.</c> or <c>..</c> components, so that .NET's lexical normalisation is harmless.</remarks>
    public static HostEntryKind Lstat(string physicalPath)
    {
        if (t_lstatCache is { } cache)
        {
            if (!cache.TryGetValue(physicalPath, out HostEntryKind known))
            {
                known = LstatUncached(physicalPath);
                cache.Add(physicalPath, known);
            }

            return known;
        }

        return LstatUncached(physicalPath);
    }

    private static HostEntryKind LstatUncached(string physicalPath)
    {
        var file = new FileInfo(physicalPath);
        if (file.Exists)
        {
            return file.Attributes.HasFlag(FileAttributes.ReparsePoint) ? HostEntryKind.Symlink : HostEntryKind.File;
        }

        var directory = new DirectoryInfo(physicalPath);
        if (directory.Exists)
        {
            return directory.Attributes.HasFlag(FileAttributes.ReparsePoint) ? HostEntryKind.Symlink : HostEntryKind.Directory;
        }

        return HostEntryKind.Missing;
    }

    /// <summary>Returns the target of the symbolic link at <paramref name="physicalPath"/> as stored (readlink), or null.</summary>
    public static string? ReadLink(string physicalPath) => new FileInfo(physicalPath).LinkTarget;

    /// <summary>
    /// Resolves <paramref name="path"/> like realpath(3): every symbolic link is followed and <c>..</c> is
    /// applied to the physical parent. Relative link targets are relative to the link's directory.
    /// </summary>
    /// <param name="path">An absolute host path.</param>
    public static RealPathResult RealPath(string path)
    {
        Debug.Assert(path.StartsWith('/'), "Host paths are absolute by the time they are resolved.");

        var resolved = new List<string>();
        var pending = new Stack<string>();
        PushComponents(pending, path);
        int hops = 0;
        try
        {
            while (pending.Count > 0)
            {
                string component = pending.Pop();
                if (component.Length == 0 || component == ".")
                {
                    continue;
                }

                if (component == "..")
                {
                    if (resolved.Count > 0)
                    {
                        resolved.RemoveAt(resolved.Count - 1);
                    }

                    continue;
                }

                string candidate = Join(resolved, component);
                switch (Lstat(candidate))
                {
                    case HostEntryKind.Missing:
                        return new RealPathResult(null, RealPathFailure.Missing, candidate);

                    case HostEntryKind.Symlink:
                        hops++;
                        if (hops > MaxSymlinkHops)
                        {
                            return new RealPathResult(null, RealPathFailure.Loop, candidate);
                        }

                        string? target = ReadLink(candidate);
                        if (target is null)
                        {
                            return new RealPathResult(null, RealPathFailure.Missing, candidate);
                        }

                        if (target.StartsWith('/'))
                        {
                            resolved.Clear();
                        }

                        PushComponents(pending, target);
                        break;

                    case HostEntryKind.File when HasMoreComponents(pending):
                        return new RealPathResult(null, RealPathFailure.NotDirectory, candidate);

                    default:
                        resolved.Add(component);
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new RealPathResult(null, RealPathFailure.Unreadable, Join(resolved, string.Empty));
        }

        return new RealPathResult(resolved.Count == 0 ? "/" : "/" + string.Join('/', resolved), null, null);
    }

    /// <summary>
    /// Returns what <paramref name="path"/> names without following its final component: its parent is
    /// resolved physically, then the last component is examined with lstat.
    /// </summary>
    /// <param name="path">An absolute host path that may contain links, <c>.</c> and <c>..</c>.</param>
    /// <param name="physicalPath">The path with a physical parent, for <see cref="ReadLink"/>; null when the parent cannot be resolved.</param>
    public static HostEntryKind LstatPath(string path, out string? physicalPath)
    {
        string name = BaseName(path);
        if (name.Length == 0 || name == "." || name == "..")
        {
            RealPathResult whole = RealPath(path);
            physicalPath = whole.Path;
            return whole.Path is null ? HostEntryKind.Missing : Lstat(whole.Path);
        }

        RealPathResult parent = RealPath(DirName(path));
        if (parent.Path is null)
        {
            physicalPath = null;
            return HostEntryKind.Missing;
        }

        physicalPath = parent.Path == "/" ? "/" + name : parent.Path + "/" + name;
        return Lstat(physicalPath);
    }

    /// <summary>Returns whether <paramref name="path"/> exists after following every link, as Python's os.path.exists.</summary>
    public static bool Exists(string path) => RealPath(path).Path is not null;

    /// <summary>Returns the directory part of a path as Python's os.path.dirname does.</summary>
    public static string DirName(string path)
    {
        int slash = path.LastIndexOf('/');
        if (slash < 0)
        {
            return string.Empty;
        }

        string head = path[..(slash + 1)];
        string trimmed = head.TrimEnd('/');
        return trimmed.Length == 0 ? head : trimmed;
    }

    /// <summary>Returns the last component of a path as Python's os.path.basename does.</summary>
    public static string BaseName(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static void PushComponents(Stack<string> pending, string path)
    {
        string[] components = path.Split('/');
        for (int i = components.Length - 1; i >= 0; i--)
        {
            pending.Push(components[i]);
        }
    }

    private static bool HasMoreComponents(Stack<string> pending)
    {
        foreach (string component in pending)
        {
            if (component.Length > 0 && component != ".")
            {
                return true;
            }
        }

        return false;
    }

    private static string Join(List<string> resolved, string component)
    {
        string parent = resolved.Count == 0 ? string.Empty : "/" + string.Join('/', resolved);
        if (component.Length > 0)
        {
            return parent + "/" + component;
        }

        return parent.Length == 0 ? "/" : parent;
    }

    /// <summary>The scope of <see cref="CacheLookups"/>; disposing the outermost one drops the cache.</summary>
    public readonly struct LookupCache(bool owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner)
            {
                t_lstatCache = null;
            }
        }
    }
}
