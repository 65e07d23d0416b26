namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>Checksum functions of a block pointer (enum zio_checksum; on-disk values).</summary>
internal enum ZioChecksum : byte
{
    Inherit = 0,
    On = 1,
    Off = 2,
    Label = 3,
    GangHeader = 4,
    Zilog = 5,
    Fletcher2 = 6,
    Fletcher4 = 7,
    Sha256 = 8,
}

/// <summary>Compression functions of a block pointer and the <c>compression</c> property (enum zio_compress).</summary>
internal enum ZioCompress : byte
{
    Inherit = 0,
    On = 1,
    Off = 2,
    Lzjb = 3,
    Empty = 4,
    Lz4 = 15,
}
