using Osv.Diagnostics;

namespace Osv.Plan;

/// <summary>
/// What goes into an image: a guest tree of directories, files and symbolic links, plus the expanded
/// entries in the order they were added. Every stage after expansion reads or extends this.
/// </summary>
/// <remarks>
/// Adding a node at a path that already holds a node of the same kind replaces it in place, as
/// gen-rofs-img.py does; parents are created as needed. Callers that want to report duplicates or
/// conflicts look the path up with <see cref="Find"/> first.
/// </remarks>
public sealed class ImagePlan
{
    private readonly List<PlanEntry> _entries = [];
    private readonly SortedSet<string> _treeFolders = new(StringComparer.Ordinal);

    /// <summary>Creates an empty plan whose tree holds only the root directory.</summary>
    public ImagePlan()
    {
        Root = new GuestDirectory(string.Empty, origin: null, hostPath: null);
    }

    /// <summary>Gets the root directory of the guest tree.</summary>
    public GuestDirectory Root { get; }

    /// <summary>Gets every added entry in order, duplicates included.</summary>
    public IReadOnlyList<PlanEntry> Entries => _entries;

    /// <summary>
    /// Gets the host folders that <c>/**</c> trees listed, in ordinal order. A file added to one of
    /// them changes the image, so a dependency file names them beside the files.
    /// </summary>
    public IReadOnlyCollection<string> TreeFolders => _treeFolders;

    /// <summary>Records that a <c>/**</c> tree listed the host folder <paramref name="hostPath"/>.</summary>
    public void AddTreeFolder(string hostPath)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        _treeFolders.Add(hostPath);
    }

    /// <summary>Adds a regular file whose content comes from <paramref name="hostPath"/>.</summary>
    /// <param name="guestPath">The guest path; it is normalised first.</param>
    /// <param name="hostPath">The host file to copy, with symbolic links already resolved.</param>
    /// <param name="size">The size of the host file in bytes.</param>
    /// <param name="origin">The manifest line or project item behind the entry.</param>
    /// <param name="reason">Why the toolchain added the file, or null when the user listed it.</param>
    /// <returns>The new node.</returns>
    /// <exception cref="ArgumentException">The guest path is invalid or is the root.</exception>
    /// <exception cref="InvalidOperationException">A directory already exists at the path, or a parent is not a directory.</exception>
    public GuestFile AddFile(string guestPath, string hostPath, long size, SourceLocation? origin, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        (GuestDirectory parent, string name, string path) = PrepareLeaf(guestPath, origin);
        var file = new GuestFile(name, hostPath, size, origin, reason);
        parent.Put(file);
        _entries.Add(new PlanEntry(path, file));
        return file;
    }

    /// <summary>Adds a symbolic link whose target is stored as written.</summary>
    /// <param name="guestPath">The guest path; it is normalised first.</param>
    /// <param name="target">The link target, stored as written.</param>
    /// <param name="origin">The manifest line or project item behind the entry.</param>
    /// <param name="hostPath">The host symbolic link the link mirrors, or null when the target was written out.</param>
    /// <returns>The new node.</returns>
    /// <exception cref="ArgumentException">The guest path is invalid or is the root.</exception>
    /// <exception cref="InvalidOperationException">A directory already exists at the path, or a parent is not a directory.</exception>
    public GuestSymlink AddSymlink(string guestPath, string target, SourceLocation? origin, string? hostPath = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        (GuestDirectory parent, string name, string path) = PrepareLeaf(guestPath, origin);
        var link = new GuestSymlink(name, target, origin, hostPath);
        parent.Put(link);
        _entries.Add(new PlanEntry(path, link));
        return link;
    }

    /// <summary>Adds a directory, or returns the one already at the path.</summary>
    /// <param name="guestPath">The guest path; it is normalised first.</param>
    /// <param name="origin">The manifest line or project item behind the entry.</param>
    /// <param name="hostPath">The host directory it mirrors, if any.</param>
    /// <returns>The directory at the path.</returns>
    /// <exception cref="ArgumentException">The guest path is invalid.</exception>
    /// <exception cref="InvalidOperationException">A file or symbolic link already exists at the path or at a parent.</exception>
    public GuestDirectory AddDirectory(string guestPath, SourceLocation? origin, string? hostPath = null)
    {
        string path = Normalize(guestPath);
        GuestDirectory directory = EnsureDirectory(GuestPaths.Split(path), origin);
        directory.HostPath ??= hostPath;
        _entries.Add(new PlanEntry(path, directory));
        return directory;
    }

    /// <summary>Returns the node at <paramref name="guestPath"/>, or null when there is none or the path is invalid.</summary>
    public GuestNode? Find(string guestPath)
    {
        ArgumentNullException.ThrowIfNull(guestPath);
        if (!GuestPaths.TryNormalize(guestPath, out string path, out _))
        {
            return null;
        }

        GuestNode current = Root;
        foreach (string component in GuestPaths.Split(path))
        {
            if (current is not GuestDirectory directory || directory.Find(component) is not { } child)
            {
                return null;
            }

            current = child;
        }

        return current;
    }

    /// <summary>Removes the node at <paramref name="guestPath"/> and everything under it.</summary>
    /// <returns>True when a node was removed.</returns>
    public bool Remove(string guestPath)
    {
        GuestNode? node = Find(guestPath);
        if (node?.Parent is not { } parent)
        {
            return false;
        }

        return parent.Remove(node.Name);
    }

    /// <summary>Enumerates every node depth-first, parents before children, children in insertion order. The root comes first.</summary>
    public IEnumerable<GuestNode> Walk()
    {
        var stack = new Stack<GuestNode>();
        stack.Push(Root);
        while (stack.Count > 0)
        {
            GuestNode node = stack.Pop();
            yield return node;
            if (node is GuestDirectory directory)
            {
                for (int i = directory.Children.Count - 1; i >= 0; i--)
                {
                    stack.Push(directory.Children[i]);
                }
            }
        }
    }

    /// <summary>Enumerates every regular file, depth-first.</summary>
    public IEnumerable<GuestFile> Files => Walk().OfType<GuestFile>();

    // Normalises a guest path or throws with the reason.
    private static string Normalize(string guestPath)
    {
        ArgumentNullException.ThrowIfNull(guestPath);
        if (!GuestPaths.TryNormalize(guestPath, out string path, out string? error))
        {
            throw new ArgumentException(error, nameof(guestPath));
        }

        return path;
    }

    // Finds or creates the parent directory of a file or link and checks that the leaf can be replaced.
    private (GuestDirectory Parent, string Name, string Path) PrepareLeaf(string guestPath, SourceLocation? origin)
    {
        string path = Normalize(guestPath);
        string[] components = GuestPaths.Split(path);
        if (components.Length == 0)
        {
            throw new ArgumentException("The root directory cannot be replaced by a file or a link.", nameof(guestPath));
        }

        GuestDirectory parent = EnsureDirectory(components.AsSpan(0, components.Length - 1), origin);
        string name = components[^1];
        if (parent.Find(name) is GuestDirectory)
        {
            throw new InvalidOperationException($"'{path}' is already a directory in the image and cannot also be a file or a link.");
        }

        return (parent, name, path);
    }

    // Walks down from the root, creating missing directories; implied directories take the origin of the entry that implied them.
    private GuestDirectory EnsureDirectory(ReadOnlySpan<string> components, SourceLocation? origin)
    {
        GuestDirectory current = Root;
        string walked = string.Empty;
        foreach (string component in components)
        {
            walked += "/" + component;
            switch (current.Find(component))
            {
                case GuestDirectory existing:
                    current = existing;
                    break;
                case null:
                    var created = new GuestDirectory(component, origin, hostPath: null);
                    current.Put(created);
                    current = created;
                    break;
                default:
                    throw new InvalidOperationException($"'{walked}' is a file or a link in the image, so it cannot contain other entries.");
            }
        }

        return current;
    }
}
