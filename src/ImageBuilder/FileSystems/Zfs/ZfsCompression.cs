namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>How the ZFS writer stores file data blocks.</summary>
public enum ZfsCompression
{
    /// <summary>Data blocks are stored as they are.</summary>
    Off,

    /// <summary>
    /// Data blocks are compressed with LZ4 when that saves at least one eighth of the block, as ZFS does;
    /// the pool then records the <c>org.illumos:lz4_compress</c> feature as active.
    /// </summary>
    Lz4,
}
