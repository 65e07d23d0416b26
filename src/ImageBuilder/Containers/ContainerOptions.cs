namespace Osv.ImageBuilder.Containers;

/// <summary>Settings of the container writers.</summary>
public sealed record ContainerOptions
{
    /// <summary>Gets whether qcow2 clusters are compressed; VMDK grains are always compressed, raw never.</summary>
    public bool Compress { get; init; }

    /// <summary>
    /// Gets the time to derive identifiers from, in seconds since the Unix epoch (SOURCE_DATE_EPOCH); 0 means
    /// none, and the VMDK content ID is then derived from the disk's content.
    /// </summary>
    public long Timestamp { get; init; }
}
