namespace Osv.ImageBuilder.Containers;

/// <summary>
/// The qcow2 layout this project writes and reads, from QEMU's docs/interop/qcow2.txt. Every integer is
/// big-endian.
/// </summary>
internal static class Qcow2Layout
{
    /// <summary>The magic 'Q', 'F', 'I', 0xFB.</summary>
    public const uint Magic = 0x514649FB;

    /// <summary>The version written; version 2 is read too.</summary>
    public const uint Version = 3;

    /// <summary>The cluster size written, as a power of two: 64 KiB, QEMU's default.</summary>
    public const int ClusterBits = 16;

    /// <summary>The refcount width written, as a power of two of bits: 16-bit refcounts, QEMU's default.</summary>
    public const int RefcountOrder = 4;

    /// <summary>The header length of version 3 without the optional compression type byte.</summary>
    public const int HeaderLengthV3 = 104;

    /// <summary>The header length of version 2.</summary>
    public const int HeaderLengthV2 = 72;

    /// <summary>Field offsets inside the header.</summary>
    public static class HeaderFields
    {
        public const int Magic = 0;
        public const int Version = 4;
        public const int BackingFileOffset = 8;
        public const int BackingFileSize = 16;
        public const int ClusterBits = 20;
        public const int Size = 24;
        public const int CryptMethod = 32;
        public const int L1Size = 36;
        public const int L1TableOffset = 40;
        public const int RefcountTableOffset = 48;
        public const int RefcountTableClusters = 56;
        public const int SnapshotCount = 60;
        public const int SnapshotsOffset = 64;
        public const int IncompatibleFeatures = 72;
        public const int CompatibleFeatures = 80;
        public const int AutoclearFeatures = 88;
        public const int RefcountOrder = 96;
        public const int HeaderLength = 100;
    }

    /// <summary>Bits of L1 and L2 entries.</summary>
    public static class EntryBits
    {
        /// <summary>Bit 63: the cluster's refcount is exactly 1 (never set on compressed clusters).</summary>
        public const ulong Copied = 1UL << 63;

        /// <summary>Bit 62 of an L2 entry: the cluster is compressed.</summary>
        public const ulong Compressed = 1UL << 62;

        /// <summary>Bit 0 of a version 3 L2 entry: the cluster reads as zeros.</summary>
        public const ulong Zero = 1;

        /// <summary>Bits 9 to 55: the host offset of a standard cluster or an L2 table.</summary>
        public const ulong OffsetMask = 0x00FF_FFFF_FFFF_FE00;
    }

    /// <summary>The sector size compressed cluster descriptors count in.</summary>
    public const int CompressedSectorSize = 512;

    /// <summary>
    /// Returns the bit where the sector count of a compressed descriptor starts: 62 - (cluster_bits - 8).
    /// Bits below it hold the host byte offset, bits from it to 61 the number of extra 512-byte sectors.
    /// </summary>
    public static int CompressedSizeShift(int clusterBits) => 62 - (clusterBits - 8);
}
