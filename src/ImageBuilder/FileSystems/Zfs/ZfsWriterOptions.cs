namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>Settings of the <see cref="ZfsWriter"/>.</summary>
public sealed record ZfsWriterOptions
{
    /// <summary>Gets the pool name; OSv imports the pool named <c>osv</c>.</summary>
    public string PoolName { get; init; } = "osv";

    /// <summary>Gets the dataset that contains the files: the root dataset or the child <c>zfs</c>.</summary>
    public ZfsDatasetLayout DatasetLayout { get; init; } = ZfsDatasetLayout.RootDataset;

    /// <summary>Gets whether file data blocks are compressed with LZ4.</summary>
    public ZfsCompression Compression { get; init; } = ZfsCompression.Off;

    /// <summary>
    /// Gets the base-2 logarithm of the sector size the pool allocates in: 9 (512 bytes, the sector size of
    /// OSv's virtio disk) or 12 (4 KiB).
    /// </summary>
    public int Ashift { get; init; } = 9;

    /// <summary>
    /// Gets the seed of the generator for pool, vdev and dataset GUIDs and ZAP hash salts, or null to derive
    /// the seed from the pool name and the plan's paths and sizes. Either way the same inputs give the same pool.
    /// </summary>
    public ulong? Seed { get; init; }
}
