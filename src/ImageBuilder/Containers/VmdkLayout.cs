namespace Osv.ImageBuilder.Containers;

/// <summary>
/// The layout of a hosted sparse VMDK extent as VMware's "Virtual Disk Format 5.0" specifies it, in the
/// stream-optimized form: compressed grains with markers, grain tables and the grain directory after
/// the data, and a footer. Every integer is little-endian; offsets and sizes count 512-byte sectors.
/// </summary>
internal static class VmdkLayout
{
    /// <summary>The sector size in bytes.</summary>
    public const int SectorSize = 512;

    /// <summary>The magic 'K', 'D', 'M', 'V' read as a little-endian u32.</summary>
    public const uint Magic = 0x564D444B;

    /// <summary>The version that stream-optimized extents use.</summary>
    public const uint Version = 3;

    /// <summary>The grain size written, in sectors: 64 KiB.</summary>
    public const long GrainSectors = 128;

    /// <summary>The number of entries of a grain table.</summary>
    public const int GrainTableEntries = 512;

    /// <summary>The value of gdOffset that says the grain directory is found through the footer.</summary>
    public const ulong GrainDirectoryAtEnd = ulong.MaxValue;

    /// <summary>The first sector of the embedded descriptor.</summary>
    public const long DescriptorOffset = 1;

    /// <summary>The sectors reserved for the embedded descriptor.</summary>
    public const long DescriptorSectors = 20;

    /// <summary>The first sector after the header and the descriptor, where grains start.</summary>
    public const long OverheadSectors = 128;

    /// <summary>The compression algorithm: deflate in zlib format (RFC 1950).</summary>
    public const ushort CompressionDeflate = 1;

    /// <summary>Header flags.</summary>
    public static class Flags
    {
        /// <summary>Bit 0: the newline test characters are valid.</summary>
        public const uint NewlineDetection = 1 << 0;

        /// <summary>Bit 1: a redundant grain directory exists.</summary>
        public const uint RedundantGrainTable = 1 << 1;

        /// <summary>Bit 16: grains are compressed.</summary>
        public const uint Compressed = 1 << 16;

        /// <summary>Bit 17: the stream has markers.</summary>
        public const uint Markers = 1 << 17;
    }

    /// <summary>Field offsets inside the 512-byte header.</summary>
    public static class HeaderFields
    {
        public const int Magic = 0;
        public const int Version = 4;
        public const int Flags = 8;
        public const int Capacity = 12;
        public const int GrainSize = 20;
        public const int DescriptorOffset = 28;
        public const int DescriptorSize = 36;
        public const int GrainTableEntries = 44;
        public const int RedundantGrainDirectoryOffset = 48;
        public const int GrainDirectoryOffset = 56;
        public const int Overhead = 64;
        public const int UncleanShutdown = 72;
        public const int SingleEndLineChar = 73;
        public const int NonEndLineChar = 74;
        public const int DoubleEndLineChar1 = 75;
        public const int DoubleEndLineChar2 = 76;
        public const int CompressAlgorithm = 77;
    }

    /// <summary>Field offsets inside a marker; a grain marker's compressed data starts at <see cref="GrainData"/>.</summary>
    public static class MarkerFields
    {
        /// <summary>u64: the grain's first sector for a grain marker, the sectors of metadata that follow for others.</summary>
        public const int Value = 0;

        /// <summary>u32: the compressed length for a grain marker, 0 for others.</summary>
        public const int Size = 8;

        /// <summary>u32: the marker type, for markers whose size is 0.</summary>
        public const int Type = 12;

        /// <summary>The offset of a grain's compressed data.</summary>
        public const int GrainData = 12;
    }

    /// <summary>Marker types.</summary>
    public static class MarkerTypes
    {
        public const uint EndOfStream = 0;
        public const uint GrainTable = 1;
        public const uint GrainDirectory = 2;
        public const uint Footer = 3;
    }
}
