namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The pool features a version-5000 pool records for OSv: exactly the three its ZFS port supports
/// (zfeature_common.c in OSv's tree). Read-compatible features go in the features_for_write ZAP and the
/// others in features_for_read. A ZAP value is the feature's reference count, where 0 means enabled but not
/// active.
/// </summary>
internal static class PoolFeatures
{
    /// <summary>The LZ4 feature: needed to read LZ4-compressed blocks.</summary>
    public const string Lz4Compress = "org.illumos:lz4_compress";

    /// <summary>Asynchronous destroy: read-only compatible.</summary>
    public const string AsyncDestroy = "com.delphix:async_destroy";

    /// <summary>Empty bpobj sharing: read-only compatible.</summary>
    public const string EmptyBpobj = "com.delphix:empty_bpobj";

    /// <summary>Gets each feature's GUID, whether readers must know it, and its description.</summary>
    public static IReadOnlyList<(string Guid, bool ForRead, string Description)> All { get; } =
    [
        (AsyncDestroy, false, "Destroy filesystems asynchronously."),
        (EmptyBpobj, false, "Snapshots use less space."),
        (Lz4Compress, true, "LZ4 compression algorithm support."),
    ];
}
