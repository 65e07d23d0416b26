using System.Buffers.Binary;
using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// One dnode (dnode_phys_t, 512 bytes): an object's type, block size, block tree root and bonus buffer.
/// Only 512-byte dnodes are written (no extra slots, which OSv's ZFS port predates).
/// </summary>
internal sealed class Dnode
{
    /// <summary>The size of a dnode on disk in bytes.</summary>
    public const int Size = 512;

    /// <summary>The base-2 logarithm of <see cref="Size"/> (DNODE_SHIFT).</summary>
    public const int SizeShift = 9;

    /// <summary>The largest bonus buffer, left when the dnode has one block pointer (DN_MAX_BONUSLEN).</summary>
    public const int MaxBonusLength = Size - Offsets.BlockPointers - BlockPointer.Size;

    /// <summary>
    /// The indirect block size the writer uses, as a shift: 16 KiB, the default of the OSv-era kernel
    /// (DN_MAX_INDBLKSHIFT 14 in OSv's dnode.h).
    /// </summary>
    public const int IndirectBlockShift = 14;

    /// <summary>The block pointers in one indirect block of <see cref="IndirectBlockShift"/>.</summary>
    public const int PointersPerIndirectBlock = (1 << IndirectBlockShift) / BlockPointer.Size;

    /// <summary>DNODE_FLAG_USED_BYTES: <see cref="UsedBytes"/> counts bytes, not sectors.</summary>
    public const byte FlagUsedBytes = 1;

    /// <summary>DNODE_FLAG_SPILL_BLKPTR: the last 128 bytes of the dnode are a spill block pointer for system attributes.</summary>
    public const byte FlagSpillPointer = 4;

    private static class Offsets
    {
        public const int Type = 0;
        public const int IndirectBlockShift = 1;
        public const int Levels = 2;
        public const int BlockPointerCount = 3;
        public const int BonusType = 4;
        public const int Checksum = 5;
        public const int Compress = 6;
        public const int Flags = 7;
        public const int DataBlockSizeSectors = 8;  // uint16, data block size / 512
        public const int BonusLength = 10;          // uint16
        public const int ExtraSlots = 12;
        public const int MaxBlockId = 16;           // uint64, last level-0 block index
        public const int Used = 24;                 // uint64, bytes of all blocks when FlagUsedBytes is set
        public const int BlockPointers = 64;
        public const int SpillPointer = Size - BlockPointer.Size;
    }

    /// <summary>Gets or sets the object type; <see cref="DmuObjectType.None"/> marks a free slot.</summary>
    public DmuObjectType Type { get; set; }

    /// <summary>Gets or sets the indirect block size as a shift.</summary>
    public byte IndirectShift { get; set; } = IndirectBlockShift;

    /// <summary>Gets or sets the number of block tree levels; 1 when the dnode points at data blocks.</summary>
    public byte Levels { get; set; } = 1;

    /// <summary>Gets the block pointers of the dnode (1 to 3, fewer leave more room for the bonus buffer).</summary>
    public BlockPointer[] BlockPointers { get; private set; } = [BlockPointer.Hole, BlockPointer.Hole, BlockPointer.Hole];

    /// <summary>Gets or sets the type of the bonus buffer.</summary>
    public DmuObjectType BonusType { get; set; }

    /// <summary>Gets or sets the checksum of the object's blocks; 0 inherits from the objset.</summary>
    public ZioChecksum Checksum { get; set; }

    /// <summary>Gets or sets the compression of the object's blocks; 0 inherits from the objset.</summary>
    public ZioCompress Compress { get; set; }

    /// <summary>Gets or sets the data block size in bytes, a multiple of 512 up to 128 KiB.</summary>
    public int DataBlockSize { get; set; } = 512;

    /// <summary>Gets or sets the index of the last level-0 block.</summary>
    public ulong MaxBlockId { get; set; }

    /// <summary>Gets or sets the allocated bytes of every block of the object, indirect blocks included.</summary>
    public ulong UsedBytes { get; set; }

    /// <summary>Gets or sets the dnode flags.</summary>
    public byte Flags { get; set; } = FlagUsedBytes;

    /// <summary>Gets or sets the bonus buffer.</summary>
    public byte[] Bonus { get; set; } = [];

    /// <summary>Gets the spill block pointer of a read dnode that has one; the writer never sets it.</summary>
    public BlockPointer SpillPointer { get; private set; }

    /// <summary>Sets the number of block pointers; the bonus buffer gets what they leave free.</summary>
    public void SetBlockPointerCount(int count)
    {
        Debug.Assert(count is >= 1 and <= 3, "A 512-byte dnode has one to three block pointers.");
        BlockPointers = Enumerable.Repeat(BlockPointer.Hole, count).ToArray();
    }

    /// <summary>Gets the room for the bonus buffer with the current number of block pointers.</summary>
    public int BonusCapacity => MaxBonusLength - ((BlockPointers.Length - 1) * BlockPointer.Size);

    /// <summary>Writes the dnode into a 512-byte slot.</summary>
    public void Write(Span<byte> slot)
    {
        Debug.Assert(slot.Length >= Size, "A dnode slot is 512 bytes.");
        Debug.Assert(Bonus.Length <= BonusCapacity, "The bonus buffer must fit beside the block pointers.");
        Debug.Assert(DataBlockSize % 512 == 0 && DataBlockSize <= BlockPointer.MaxBlockSize, "Data blocks are whole sectors up to 128 KiB.");
        slot = slot[..Size];
        slot.Clear();
        slot[Offsets.Type] = (byte)Type;
        slot[Offsets.IndirectBlockShift] = IndirectShift;
        slot[Offsets.Levels] = Levels;
        slot[Offsets.BlockPointerCount] = (byte)BlockPointers.Length;
        slot[Offsets.BonusType] = (byte)BonusType;
        slot[Offsets.Checksum] = (byte)Checksum;
        slot[Offsets.Compress] = (byte)Compress;
        slot[Offsets.Flags] = Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(slot[Offsets.DataBlockSizeSectors..], (ushort)(DataBlockSize >> BlockPointer.SectorShift));
        BinaryPrimitives.WriteUInt16LittleEndian(slot[Offsets.BonusLength..], (ushort)Bonus.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.MaxBlockId..], MaxBlockId);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.Used..], UsedBytes);
        for (int i = 0; i < BlockPointers.Length; i++)
        {
            BlockPointers[i].Write(slot[(Offsets.BlockPointers + (i * BlockPointer.Size))..]);
        }

        Bonus.CopyTo(slot[BonusOffset(BlockPointers.Length)..]);
    }

    /// <summary>
    /// Reads a dnode slot. Returns null when the slot's counts do not fit a 512-byte dnode; the caller turns
    /// that into an error that names the object.
    /// </summary>
    public static Dnode? Read(ReadOnlySpan<byte> slot)
    {
        int pointerCount = slot[Offsets.BlockPointerCount];
        int bonusLength = BinaryPrimitives.ReadUInt16LittleEndian(slot[Offsets.BonusLength..]);
        var type = (DmuObjectType)slot[Offsets.Type];
        if (type == DmuObjectType.None)
        {
            return new Dnode { Type = DmuObjectType.None };
        }

        if (pointerCount is < 1 or > 3 || bonusLength > MaxBonusLength - ((pointerCount - 1) * BlockPointer.Size) || slot[Offsets.ExtraSlots] != 0)
        {
            return null;
        }

        var dnode = new Dnode
        {
            Type = type,
            IndirectShift = slot[Offsets.IndirectBlockShift],
            Levels = slot[Offsets.Levels],
            BonusType = (DmuObjectType)slot[Offsets.BonusType],
            Checksum = (ZioChecksum)slot[Offsets.Checksum],
            Compress = (ZioCompress)slot[Offsets.Compress],
            Flags = slot[Offsets.Flags],
            DataBlockSize = BinaryPrimitives.ReadUInt16LittleEndian(slot[Offsets.DataBlockSizeSectors..]) << BlockPointer.SectorShift,
            MaxBlockId = BinaryPrimitives.ReadUInt64LittleEndian(slot[Offsets.MaxBlockId..]),
            UsedBytes = BinaryPrimitives.ReadUInt64LittleEndian(slot[Offsets.Used..]),
        };
        dnode.SetBlockPointerCount(pointerCount);
        for (int i = 0; i < pointerCount; i++)
        {
            dnode.BlockPointers[i] = BlockPointer.Read(slot[(Offsets.BlockPointers + (i * BlockPointer.Size))..]);
        }

        int bonusOffset = BonusOffset(pointerCount);
        if ((dnode.Flags & FlagSpillPointer) != 0)
        {
            if (bonusOffset + bonusLength > Offsets.SpillPointer)
            {
                return null;
            }

            dnode.SpillPointer = BlockPointer.Read(slot[Offsets.SpillPointer..]);
        }

        dnode.Bonus = slot.Slice(bonusOffset, bonusLength).ToArray();
        return dnode;
    }

    // The bonus buffer starts right after the last block pointer.
    private static int BonusOffset(int pointerCount) => Offsets.BlockPointers + (pointerCount * BlockPointer.Size);
}
