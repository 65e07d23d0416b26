namespace Osv.Manifests.Expand;

/// <summary>
/// OSv's <c>unsymlink</c> (scripts/manifest_common.py): while the host path is a symbolic link, a relative
/// target is taken relative to the link's directory, and an absolute target is tried under each ancestor
/// of the link's directory, nearest first, up to <c>/</c> itself. When no ancestor has it, the link is kept.
/// </summary>
/// <remarks>
/// The ancestor rule lets a manifest point into a copied root filesystem whose links are absolute to
/// that root. On a loop, OSv recurses until Python's recursion limit and then keeps the last path.
/// Here a loop is reported with the links that form it.
/// </remarks>
internal static class Unsymlinker
{
    /// <summary>Applies the rule to the absolute host path <paramref name="path"/>.</summary>
    public static UnsymlinkResult Resolve(string path)
    {
        var chain = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        string current = path;
        while (true)
        {
            if (HostFileSystem.LstatPath(current, out string? physical) != HostEntryKind.Symlink || physical is null)
            {
                return new UnsymlinkResult(current, chain, IsLoop: false, IsDanglingAbsolute: false);
            }

            // The physical path of the link itself identifies it, however the text reached it.
            if (!visited.Add(physical) || chain.Count >= HostFileSystem.MaxSymlinkHops)
            {
                return new UnsymlinkResult(current, chain, IsLoop: true, IsDanglingAbsolute: false);
            }

            string? link = HostFileSystem.ReadLink(physical);
            if (link is null)
            {
                return new UnsymlinkResult(current, chain, IsLoop: false, IsDanglingAbsolute: false);
            }

            string? next = link.StartsWith('/') ? FindUnderAncestor(current, link) : HostFileSystem.DirName(current) + "/" + link;
            chain.Add($"{current} -> {link}");
            if (next is null)
            {
                // os.path.exists is false for a target that loops; that is a loop, not a missing file.
                bool loops = HostFileSystem.RealPath(link).Failure == RealPathFailure.Loop;
                return new UnsymlinkResult(current, chain, IsLoop: loops, IsDanglingAbsolute: !loops);
            }

            current = next;
        }
    }

    // Tries base + link for base = dirname(path), its parent, ..., "/"; returns null when none exists.
    private static string? FindUnderAncestor(string path, string link)
    {
        string directory = HostFileSystem.DirName(path);
        while (true)
        {
            string candidate = directory == "/" ? link : directory + link;
            if (HostFileSystem.Exists(candidate))
            {
                return candidate;
            }

            if (directory == "/" || directory.Length == 0)
            {
                return null;
            }

            directory = HostFileSystem.DirName(directory);
        }
    }
}
