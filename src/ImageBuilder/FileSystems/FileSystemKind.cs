namespace Osv.ImageBuilder.FileSystems;

/// <summary>The filesystems an OSv image can carry.</summary>
public enum FileSystemKind
{
    /// <summary>OSv's read-only filesystem (fs/rofs), mounted from partition 2.</summary>
    Rofs,

    /// <summary>A ZFS pool named <c>osv</c>, mounted from partition 2.</summary>
    Zfs,

    /// <summary>A bootfs blob that is linked into the kernel and unpacked into a ramfs at boot.</summary>
    Ramfs,
}
