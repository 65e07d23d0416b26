using Osv.Diagnostics;

namespace Osv.Plan;

/// <summary>
/// A guest directory. Its children keep the order in which they were first added, because OSv's
/// gen-rofs-img.py writes them in that order (a Python dict) and byte-identical output depends on it.
/// </summary>
public sealed class GuestDirectory : GuestNode
{
    private readonly List<GuestNode> _children = [];
    private readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);

    internal GuestDirectory(string name, SourceLocation? origin, string? hostPath)
        : base(name, origin)
    {
        HostPath = hostPath;
    }

    /// <summary>Gets the host directory this directory was copied from, or null when it was implied.</summary>
    public string? HostPath { get; internal set; }

    /// <summary>Gets the entries of this directory in first-insertion order.</summary>
    public IReadOnlyList<GuestNode> Children => _children;

    /// <summary>Returns the child named <paramref name="name"/>, or null when there is none.</summary>
    public GuestNode? Find(string name) =>
        _indexByName.TryGetValue(name, out int index) ? _children[index] : null;

    // Adds a child, or replaces the one of the same name in place so that it keeps its position.
    internal void Put(GuestNode node)
    {
        node.Parent = this;
        if (_indexByName.TryGetValue(node.Name, out int index))
        {
            _children[index].Parent = null;
            _children[index] = node;
        }
        else
        {
            _indexByName.Add(node.Name, _children.Count);
            _children.Add(node);
        }
    }

    // Removes a child and keeps the order of the others.
    internal bool Remove(string name)
    {
        if (!_indexByName.TryGetValue(name, out int index))
        {
            return false;
        }

        _children[index].Parent = null;
        _children.RemoveAt(index);
        _indexByName.Remove(name);
        for (int i = index; i < _children.Count; i++)
        {
            _indexByName[_children[i].Name] = i;
        }

        return true;
    }
}
