using Osv.Diagnostics;

namespace Osv.Plan;

/// <summary>A guest symbolic link. The target is stored as written and may be relative.</summary>
public sealed class GuestSymlink : GuestNode
{
    internal GuestSymlink(string name, string target, SourceLocation? origin)
        : base(name, origin)
    {
        Target = target;
    }

    /// <summary>Gets the link target exactly as it will be stored in the image.</summary>
    public string Target { get; }
}
