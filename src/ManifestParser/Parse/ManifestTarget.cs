namespace Osv.Manifests.Parse;

/// <summary>
/// The filesystem a manifest is written to, where OSv's scripts treat entries differently.
/// </summary>
public enum ManifestTarget
{
    /// <summary>Not known yet: rules that differ between targets are reported as warnings.</summary>
    Any,

    /// <summary>OSv's read-only filesystem, written by gen-rofs-img.py.</summary>
    Rofs,

    /// <summary>A ZFS pool, filled by upload_manifest.py in OSv's build.</summary>
    Zfs,

    /// <summary>The bootfs blob that becomes a ramfs, written by mkbootfs.py.</summary>
    Bootfs,
}
