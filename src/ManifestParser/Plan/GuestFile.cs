using Osv.Diagnostics;

namespace Osv.Plan;

/// <summary>A regular guest file whose content is read from a host file when the image is written.</summary>
public sealed class GuestFile : GuestNode
{
    internal GuestFile(string name, string hostPath, long size, SourceLocation? origin, string? reason)
        : base(name, origin)
    {
        HostPath = hostPath;
        Size = size;
        Reason = reason;
    }

    /// <summary>Gets the host file that holds the content, after symbolic links were resolved.</summary>
    public string HostPath { get; }

    /// <summary>Gets the size of the content in bytes, as measured when the node was added.</summary>
    public long Size { get; }

    /// <summary>
    /// Gets why the toolchain added this file when no manifest line named it, for example
    /// "DT_NEEDED of /app/server.so"; null for files the user listed.
    /// </summary>
    public string? Reason { get; }
}
