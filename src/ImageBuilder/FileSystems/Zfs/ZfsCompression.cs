namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>How the ZFS writer stores file data blocks.</summary>
public enum ZfsCompression
{
    /// <summary>Data blocks are stored as they are.</summary>
    Off,

    /// <summary>
    /// Data blocks are compressed with LZ4 when that saves at least one eighth of the block, as ZFS does. The
    /// labels then list <c>org.illumos:lz4_compress</c> among the features needed to read the pool, and the
    /// filesystem's <c>compression</c> property is <c>lz4</c>.
    /// </summary>
    Lz4,
}
