using Osv.Diagnostics;

namespace Osv.Plan;

/// <summary>
/// A node of the guest tree in an <see cref="ImagePlan"/>: a directory, a file or a symbolic link.
/// Every node remembers the manifest entry (or project item) it came from.
/// </summary>
public abstract class GuestNode
{
    private protected GuestNode(string name, SourceLocation? origin)
    {
        Name = name;
        Origin = origin;
    }

    /// <summary>Gets the last component of the guest path; empty for the root directory.</summary>
    public string Name { get; }

    /// <summary>Gets the directory that contains this node; null for the root directory.</summary>
    public GuestDirectory? Parent { get; internal set; }

    /// <summary>Gets the manifest line or project item that created this node, when known.</summary>
    public SourceLocation? Origin { get; internal set; }

    /// <summary>Gets the absolute, normalised guest path, for example <c>/usr/lib/libz.so.1</c>.</summary>
    public string GuestPath
    {
        get
        {
            if (Parent is null)
            {
                return "/";
            }

            string parentPath = Parent.GuestPath;
            return parentPath == "/" ? "/" + Name : parentPath + "/" + Name;
        }
    }
}
