namespace Osv.Manifests.Parse;

/// <summary>The form of a manifest entry, decided by the markers of its host value.</summary>
public enum ManifestEntryKind
{
    /// <summary>
    /// <c>GUEST: HOST</c>. A host file is copied after its symbolic links are resolved with OSv's
    /// <c>unsymlink</c> rule; a host directory creates an empty guest directory.
    /// </summary>
    HostPath,

    /// <summary>
    /// <c>GUEST: !HOST</c>. Like <see cref="HostPath"/> without symbolic link resolution, so a HOST that
    /// is a symbolic link becomes a guest symbolic link on ROFS and ZFS and a copy of its content on bootfs.
    /// </summary>
    HostPathNoFollow,

    /// <summary><c>GUEST/**: HOSTDIR/**</c>: every file under HOSTDIR, recursively.</summary>
    HostTree,

    /// <summary><c>GUEST: -&gt;TARGET</c>: a guest symbolic link whose target is TARGET.</summary>
    Symlink,
}
