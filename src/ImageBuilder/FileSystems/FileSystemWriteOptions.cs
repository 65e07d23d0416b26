namespace Osv.ImageBuilder.FileSystems;

/// <summary>Settings shared by the filesystem writers.</summary>
public sealed record FileSystemWriteOptions
{
    /// <summary>
    /// Gets the size of the partition in bytes when it is fixed (ZFS fills it; ROFS and bootfs report an
    /// error when their content does not fit), or null to use exactly the space the content needs.
    /// </summary>
    public long? PartitionSize { get; init; }

    /// <summary>
    /// Gets the time written where a format stores one, in seconds since the Unix epoch; the front ends
    /// take it from SOURCE_DATE_EPOCH and default to 0 so that output is reproducible.
    /// </summary>
    public long Timestamp { get; init; }
}
