namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Resolves host paths the way a loader running inside a sysroot would see them: a path is taken
/// relative to the sysroot, and an absolute symbolic link target is resolved inside the sysroot rather
/// than on the host. Without a sysroot it resolves paths on the host as realpath() does.
/// </summary>
internal sealed class HostFileSystem
{
    // Linux's limit on symbolic links followed in one lookup (MAXSYMLINKS).
    private const int MaxLinkHops = 40;

    private readonly string _root;

    /// <param name="sysroot">The folder that is used as <c>/</c>, or null for the host's root.</param>
    public HostFileSystem(string? sysroot)
    {
        _root = string.IsNullOrEmpty(sysroot) ? "/" : Path.TrimEndingDirectorySeparator(Path.GetFullPath(sysroot));
        if (_root.Length == 0)
        {
            _root = "/";
        }
    }

    /// <summary>Gets the host folder that is used as <c>/</c>.</summary>
    public string Root => _root;

    /// <summary>Returns the host path of <paramref name="path"/> seen from inside the sysroot, with no symbolic link resolved.</summary>
    public string MapIntoRoot(string path) => _root == "/" ? path : _root + (path.StartsWith('/') ? path : "/" + path);

    /// <summary>
    /// Resolves a host path (already under the sysroot, or any host path when <paramref name="insideRoot"/> is false)
    /// to the regular file it names after every symbolic link; null when it does not exist, is not a regular file, or loops.
    /// </summary>
    public string? ResolveFile(string hostPath, bool insideRoot)
    {
        string root = insideRoot ? _root : "/";
        if (!hostPath.StartsWith(root, StringComparison.Ordinal))
        {
            return null;
        }

        var pending = new Stack<string>(Split(hostPath[root.Length..]).Reverse());
        var resolved = new List<string>();
        int hops = 0;
        while (pending.Count > 0)
        {
            string component = pending.Pop();
            if (component == ".")
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

            string candidate = Combine(root, resolved, component);
            FileSystemInfo info = new FileInfo(candidate);
            if (!info.Exists && !Directory.Exists(candidate) && info.LinkTarget is null)
            {
                return null;
            }

            if (info.LinkTarget is { } target)
            {
                if (++hops > MaxLinkHops)
                {
                    return null;
                }

                foreach (string part in Split(target).Reverse())
                {
                    pending.Push(part);
                }

                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                continue;
            }

            resolved.Add(component);
        }

        string result = Combine(root, resolved, null);
        return File.Exists(result) ? result : null;
    }

    private static string Combine(string root, List<string> components, string? last)
    {
        string joined = string.Join('/', last is null ? components : [.. components, last]);
        return root == "/" ? "/" + joined : root + "/" + joined;
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
