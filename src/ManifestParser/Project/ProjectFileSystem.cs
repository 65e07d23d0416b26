namespace Osv.Manifests.Project;

/// <summary>The filesystem of an image, as osv.yaml's <c>filesystem</c> key names it.</summary>
public enum ProjectFileSystem
{
    /// <summary><c>rofs</c>: OSv's read-only filesystem on partition 2 (the default).</summary>
    Rofs,

    /// <summary><c>zfs</c>: a ZFS pool named <c>osv</c> on partition 2.</summary>
    Zfs,

    /// <summary><c>ramfs</c>: a bootfs blob linked into the kernel and unpacked into memory at boot.</summary>
    Ramfs,
}
