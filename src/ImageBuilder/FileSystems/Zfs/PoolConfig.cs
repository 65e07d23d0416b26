namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The pool configuration nvlists: the one in each vdev label (whose vdev_tree is the disk vdev itself) and
/// the one in the MOS config object (whose vdev_tree is the root vdev with the disk as its only child). OSv
/// imports the root pool from the label config, then reloads it from the MOS copy, so both must agree.
/// </summary>
internal sealed record PoolConfig
{
    /// <summary>The pool version: 5000, feature flags.</summary>
    public const ulong Version = 5000;

    /// <summary>POOL_STATE_EXPORTED: OpenZFS imports the pool without -f, and OSv accepts any state below DESTROYED.</summary>
    public const ulong StateExported = 1;

    /// <summary>
    /// The vdev path. OSv replaces it with its boot device /dev/vblk0.1, but only when the key exists; zdb
    /// finds the vdev by scanning the folder it is given.
    /// </summary>
    public const string DevicePath = "/dev/vblk0.1";

    /// <summary>Gets the pool name.</summary>
    public required string PoolName { get; init; }

    /// <summary>Gets the pool GUID, which is also the root vdev's GUID.</summary>
    public required ulong PoolGuid { get; init; }

    /// <summary>Gets the disk vdev's GUID.</summary>
    public required ulong VdevGuid { get; init; }

    /// <summary>Gets the txg the configuration was written in.</summary>
    public required ulong Txg { get; init; }

    /// <summary>Gets the vdev geometry.</summary>
    public required PoolGeometry Geometry { get; init; }

    /// <summary>Gets the MOS object of the metaslab array.</summary>
    public required ulong MetaslabArrayObject { get; init; }

    /// <summary>Gets the active read-incompatible features to list in features_for_read.</summary>
    public required IReadOnlyList<string> FeaturesForRead { get; init; }

    /// <summary>Gets the sum of every vdev GUID, as the uberblock records it.</summary>
    public ulong GuidSum => unchecked(PoolGuid + VdevGuid);

    /// <summary>Builds the label configuration.</summary>
    public NvList ForLabel() => new NvList()
        .Add("version", Version)
        .Add("name", PoolName)
        .Add("state", StateExported)
        .Add("txg", Txg)
        .Add("pool_guid", PoolGuid)
        .Add("top_guid", VdevGuid)
        .Add("guid", VdevGuid)
        .Add("vdev_children", 1UL)
        .Add("vdev_tree", DiskVdev())
        .Add("features_for_read", FeaturesList());

    /// <summary>Builds the configuration stored in the MOS.</summary>
    public NvList ForMos() => new NvList()
        .Add("version", Version)
        .Add("name", PoolName)
        .Add("state", StateExported)
        .Add("txg", Txg)
        .Add("pool_guid", PoolGuid)
        .Add("vdev_children", 1UL)
        .Add("vdev_tree", new NvList()
            .Add("type", "root")
            .Add("id", 0UL)
            .Add("guid", PoolGuid)
            .Add("create_txg", Txg)
            .Add("children", [DiskVdev()]))
        .Add("features_for_read", FeaturesList());

    // The top-level (and only) vdev: a disk with its metaslab layout.
    private NvList DiskVdev() => new NvList()
        .Add("type", "disk")
        .Add("id", 0UL)
        .Add("guid", VdevGuid)
        .Add("path", DevicePath)
        .Add("whole_disk", 0UL)
        .Add("metaslab_array", MetaslabArrayObject)
        .Add("metaslab_shift", (ulong)Geometry.MetaslabShift)
        .Add("ashift", (ulong)Geometry.Ashift)
        .Add("asize", (ulong)Geometry.AllocatableSize)
        .Add("is_log", 0UL)
        .Add("create_txg", Txg);

    private NvList FeaturesList()
    {
        var list = new NvList();
        foreach (string feature in FeaturesForRead)
        {
            list.AddBoolean(feature);
        }

        return list;
    }
}
