using Osv.Diagnostics;

namespace Osv.Plan;

/// <summary>A guest symbolic link. The target is stored as written and may be relative.</summary>
public sealed class GuestSymlink : GuestNode
{
    internal GuestSymlink(string name, string target, SourceLocation? origin, string? hostPath)
        : base(name, origin)
    {
        Target = target;
        HostPath = hostPath;
    }

    /// <summary>Gets the link target exactly as it will be stored in the image.</summary>
    public string Target { get; }

    /// <summary>
    /// Gets the host symbolic link this link mirrors (a manifest's <c>!HOST</c>), or null for a link the
    /// manifest wrote out (<c>-&gt;TARGET</c>). A writer that cannot store links can copy the content from it.
    /// </summary>
    public string? HostPath { get; }
}
