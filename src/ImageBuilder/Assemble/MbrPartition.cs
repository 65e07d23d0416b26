using System.Buffers.Binary;
using System.Diagnostics;

namespace Osv.ImageBuilder.Assemble;

/// <summary>One entry of an MBR partition table.</summary>
/// <param name="Index">The 1-based partition number; OSv's filesystem is partition 2 (the guest's /dev/vblk0.1).</param>
/// <param name="Status">The status byte, 0x80 for an active partition.</param>
/// <param name="Type">The partition type, 0x83 for the partitions OSv writes, 0 for an unused entry.</param>
/// <param name="StartLba">The first sector.</param>
/// <param name="SectorCount">The number of 512-byte sectors.</param>
public sealed record MbrPartition(int Index, byte Status, byte Type, uint StartLba, uint SectorCount)
{
    /// <summary>Gets the offset of the partition in bytes.</summary>
    public long Offset => (long)StartLba * MbrLayout.SectorSize;

    /// <summary>Gets the size of the partition in bytes.</summary>
    public long Size => (long)SectorCount * MbrLayout.SectorSize;

    /// <summary>Gets whether the entry describes a partition: a type or a start is set.</summary>
    public bool IsUsed => Type != 0 || StartLba != 0;

    // Writes entry `index` the way imgedit.py setpartition does: the two CHS bytes, the type, the start
    // and the sector count; the status byte is left as the boot image has it.
    internal static void Write(Span<byte> bootSector, int index, long offset, long size)
    {
        Debug.Assert(offset % MbrLayout.SectorSize == 0 && size % MbrLayout.SectorSize == 0, "Partitions are whole sectors.");
        Span<byte> entry = bootSector.Slice(MbrLayout.PartitionTableOffset + ((index - 1) * MbrLayout.PartitionEntryLength), MbrLayout.PartitionEntryLength);
        long startSector = offset / MbrLayout.SectorSize;

        // imgedit.py takes the end CHS from (start + size) // 512, the sector after the last one.
        long endSector = (offset + size) / MbrLayout.SectorSize;
        (int startCylinder, int startHead, int startSectorInTrack) = Chs(startSector);
        (int endCylinder, int endHead, int endSectorInTrack) = Chs(endSector);

        entry[MbrLayout.EntryFields.StartHead] = (byte)startHead;
        entry[MbrLayout.EntryFields.EndHead] = (byte)endHead;

        // imgedit.py packs the cylinder and sector as the u16 (cylinder << 6) | sector, which is not the
        // usual CHS packing; it is reproduced as it is so that images match OSv's byte for byte.
        BinaryPrimitives.WriteUInt16LittleEndian(entry[MbrLayout.EntryFields.StartSectorCylinder..], (ushort)((startCylinder << 6) | startSectorInTrack));
        BinaryPrimitives.WriteUInt16LittleEndian(entry[MbrLayout.EntryFields.EndSectorCylinder..], (ushort)((endCylinder << 6) | endSectorInTrack));
        entry[MbrLayout.EntryFields.Type] = MbrLayout.LinuxPartitionType;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[MbrLayout.EntryFields.StartLba..], (uint)startSector);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[MbrLayout.EntryFields.SectorCount..], (uint)(size / MbrLayout.SectorSize));
    }

    // Reads entry `index` (1-based) of a boot sector.
    internal static MbrPartition Read(ReadOnlySpan<byte> bootSector, int index)
    {
        ReadOnlySpan<byte> entry = bootSector.Slice(MbrLayout.PartitionTableOffset + ((index - 1) * MbrLayout.PartitionEntryLength), MbrLayout.PartitionEntryLength);
        return new MbrPartition(
            index,
            entry[MbrLayout.EntryFields.Status],
            entry[MbrLayout.EntryFields.Type],
            BinaryPrimitives.ReadUInt32LittleEndian(entry[MbrLayout.EntryFields.StartLba..]),
            BinaryPrimitives.ReadUInt32LittleEndian(entry[MbrLayout.EntryFields.SectorCount..]));
    }

    // Converts a sector number to cylinder, head and sector with 255 heads and 63 sectors a track, capped
    // at 1023/254/63 as imgedit.py's chs() does.
    internal static (int Cylinder, int Head, int Sector) Chs(long sector)
    {
        long cylinder = sector / MbrLayout.Geometry.SectorsPerTrack / MbrLayout.Geometry.Heads;
        long head = sector / MbrLayout.Geometry.SectorsPerTrack % MbrLayout.Geometry.Heads;
        long sectorInTrack = (sector % MbrLayout.Geometry.SectorsPerTrack) + 1;
        if (cylinder > MbrLayout.Geometry.MaxCylinder)
        {
            return (MbrLayout.Geometry.MaxCylinder, MbrLayout.Geometry.MaxHead, MbrLayout.Geometry.MaxSector);
        }

        return ((int)cylinder, (int)head, (int)sectorInTrack);
    }
}
