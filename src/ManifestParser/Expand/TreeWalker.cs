using Osv.Diagnostics;
using Osv.Manifests.Parse;

namespace Osv.Manifests.Expand;

/// <summary>
/// Lists the files of a host tree for a <c>GUEST/**: HOSTDIR/**</c> entry, as OSv's expand() does with
/// Python's os.walk: files only (empty directories are lost), each directory's files before its
/// subdirectories, depth first.
/// </summary>
/// <remarks>
/// os.walk lists a directory in the order the filesystem returns it, which differs between hosts and
/// filesystems. Here names are sorted ordinally, so the same tree always gives the same image.
/// os.walk does not descend into symbolic links to directories, so OSv copies nothing below them. By
/// default this walker follows them, stopping with an error at a link that leads back into the tree
/// being walked; <see cref="ExpansionOptions.FollowDirectorySymlinksInTrees"/> restores OSv's rule.
/// </remarks>
internal sealed class TreeWalker
{
    private readonly bool _followDirectoryLinks;
    private readonly SourceLocation _origin;
    private readonly DiagnosticBag _diagnostics;

    public TreeWalker(bool followDirectoryLinks, SourceLocation origin, DiagnosticBag diagnostics)
    {
        _followDirectoryLinks = followDirectoryLinks;
        _origin = origin;
        _diagnostics = diagnostics;
    }

    /// <summary>Lists the files under <paramref name="root"/>, or returns null after reporting why the root cannot be walked.</summary>
    /// <param name="root">The absolute tree root without the trailing <c>/**</c>.</param>
    public List<TreeFile>? Walk(string root)
    {
        RealPathResult rootReal = HostFileSystem.RealPath(root);
        if (rootReal.Path is null || HostFileSystem.Lstat(rootReal.Path) != HostEntryKind.Directory)
        {
            string problem = "is not a directory";
            if (rootReal.Path is null)
            {
                problem = rootReal.Failure == RealPathFailure.Loop ? "runs into a symbolic link loop" : "does not exist";
            }

            _diagnostics.Error(ManifestCodes.TreeRootNotDirectory,
                $"The '/**' tree root '{root}' {problem}; check the host path before '/**', which is relative to the manifest's base directory.",
                _origin);
            return null;
        }

        var files = new List<TreeFile>();
        var emptyDirectories = new List<string>();
        var ancestors = new List<string> { rootReal.Path };
        string prefix = root.EndsWith('/') ? root : root + "/";
        WalkDirectory(rootReal.Path, prefix, string.Empty, ancestors, files, emptyDirectories);
        ReportEmptyDirectories(emptyDirectories);
        return files;
    }

    /// <summary>Gets the physical host folders the walks listed, the roots included.</summary>
    public List<string> Folders { get; } = [];

    // Adds the files of one directory, then walks its subdirectories; returns how many files it added.
    private int WalkDirectory(string physical, string hostPrefix, string relative, List<string> ancestors, List<TreeFile> files, List<string> emptyDirectories)
    {
        Folders.Add(physical);
        string[] names;
        try
        {
            names = Directory.GetFileSystemEntries(physical).Select(HostFileSystem.BaseName).ToArray();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _diagnostics.Error(ManifestCodes.HostPathUnreadable,
                $"The directory '{physical}' in a '/**' tree cannot be listed: {exception.Message} Check its permissions.",
                _origin);
            return 0;
        }

        Array.Sort(names, StringComparer.Ordinal);
        int before = files.Count;
        var subdirectories = new List<(string Name, string Physical)>();
        foreach (string name in names)
        {
            string entry = physical == "/" ? "/" + name : physical + "/" + name;
            switch (HostFileSystem.Lstat(entry))
            {
                case HostEntryKind.Directory:
                    subdirectories.Add((name, entry));
                    break;

                case HostEntryKind.Symlink:
                    RealPathResult target = HostFileSystem.RealPath(entry);
                    if (target.Path is not null && HostFileSystem.Lstat(target.Path) == HostEntryKind.Directory)
                    {
                        if (AcceptDirectoryLink(entry, target.Path, ancestors))
                        {
                            subdirectories.Add((name, target.Path));
                        }
                    }
                    else
                    {
                        // A link to a file, or a broken one: os.walk lists both as files; unsymlink decides later.
                        files.Add(new TreeFile(relative + name, hostPrefix + relative + name, PhysicalPath: null));
                    }

                    break;

                case HostEntryKind.File:
                    files.Add(new TreeFile(relative + name, hostPrefix + relative + name, entry));
                    break;
            }
        }

        foreach ((string name, string subdirectory) in subdirectories)
        {
            ancestors.Add(subdirectory);
            int added = WalkDirectory(subdirectory, hostPrefix, relative + name + "/", ancestors, files, emptyDirectories);
            ancestors.RemoveAt(ancestors.Count - 1);
            if (added == 0)
            {
                emptyDirectories.Add(hostPrefix + relative + name);
            }
        }

        return files.Count - before;
    }

    // Decides whether to descend into a symbolic link to a directory, and reports loops and skipped links.
    private bool AcceptDirectoryLink(string link, string target, List<string> ancestors)
    {
        if (!_followDirectoryLinks)
        {
            _diagnostics.Warning(ManifestCodes.TreeDirectorySymlinkSkipped,
                $"The symbolic link '{link}' to the directory '{target}' is not followed, as OSv's os.walk does not follow it, so nothing below it is copied; list that directory as its own '/**' entry.",
                _origin);
            return false;
        }

        int index = ancestors.IndexOf(target);
        if (index < 0)
        {
            return true;
        }

        _diagnostics.Error(ManifestCodes.TreeLoop,
            $"The symbolic link '{link}' leads to '{target}', which contains the link, so the '/**' tree is an endless loop ({string.Join(" > ", ancestors.Skip(index))} > {link}); remove the link or copy the tree without it.",
            _origin);
        return false;
    }

    // Reports the outermost directories that held no file, because OSv copies files only.
    private void ReportEmptyDirectories(List<string> emptyDirectories)
    {
        var empty = new HashSet<string>(emptyDirectories, StringComparer.Ordinal);
        foreach (string directory in emptyDirectories)
        {
            if (!empty.Contains(HostFileSystem.DirName(directory)))
            {
                _diagnostics.Info(ManifestCodes.TreeEmptyDirectory,
                    $"The host directory '{directory}' contains no files, so the '/**' entry creates no guest directory for it, as in OSv; list it as its own entry ('GUEST: HOSTDIR') to create it.",
                    _origin);
            }
        }
    }
}
