namespace Osv.ImageBuilder.Assemble;

/// <summary>
/// The master boot record fields OSv's disks use: the partition table at 0x1BE (four 16-byte entries)
/// and the boot signature, as scripts/imgedit.py setpartition writes them.
/// </summary>
internal static class MbrLayout
{
    /// <summary>The sector size in bytes; LBA values count these.</summary>
    public const int SectorSize = 512;

    /// <summary>The offset of the first partition entry.</summary>
    public const int PartitionTableOffset = 0x1BE;

    /// <summary>The size of one partition entry in bytes.</summary>
    public const int PartitionEntryLength = 16;

    /// <summary>The number of partition entries.</summary>
    public const int PartitionCount = 4;

    /// <summary>The offset of the boot signature.</summary>
    public const int SignatureOffset = 510;

    /// <summary>The length of the boot signature in bytes.</summary>
    public const int SignatureLength = 2;

    /// <summary>The boot signature read as a little-endian u16: byte 510 is 0x55 and byte 511 is 0xAA.</summary>
    public const ushort Signature = 0xAA55;

    /// <summary>The partition type imgedit.py writes: 0x83, a Linux filesystem.</summary>
    public const byte LinuxPartitionType = 0x83;

    /// <summary>Field offsets inside one partition entry.</summary>
    public static class EntryFields
    {
        /// <summary>u8: 0x80 for the active partition; imgedit.py leaves it as it is.</summary>
        public const int Status = 0;

        /// <summary>u8: the head of the first sector.</summary>
        public const int StartHead = 1;

        /// <summary>u16: the sector and cylinder of the first sector, packed as imgedit.py packs them.</summary>
        public const int StartSectorCylinder = 2;

        /// <summary>u8: the partition type.</summary>
        public const int Type = 4;

        /// <summary>u8: the head of the sector after the last.</summary>
        public const int EndHead = 5;

        /// <summary>u16: the sector and cylinder of the sector after the last.</summary>
        public const int EndSectorCylinder = 6;

        /// <summary>u32: the first sector.</summary>
        public const int StartLba = 8;

        /// <summary>u32: the number of sectors.</summary>
        public const int SectorCount = 12;
    }

    /// <summary>The CHS geometry imgedit.py assumes.</summary>
    public static class Geometry
    {
        public const int SectorsPerTrack = 63;
        public const int Heads = 255;
        public const int MaxCylinder = 1023;
        public const int MaxHead = 254;
        public const int MaxSector = 63;
    }
}
