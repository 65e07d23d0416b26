using System.Buffers.Binary;
using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// A ZFS block pointer (blkptr_t, 128 bytes) with one data virtual address on vdev 0. The writer never
/// emits gang blocks, embedded data or extra copies, so only DVA[0] is used.
/// </summary>
/// <remarks>Layout from OpenZFS's sys/spa.h; sizes are stored in 512-byte sectors.</remarks>
internal readonly record struct BlockPointer
{
    /// <summary>The size of a block pointer on disk in bytes.</summary>
    public const int Size = 128;

    /// <summary>The unit of the sizes and offsets in a block pointer (SPA_MINBLOCKSHIFT).</summary>
    public const int SectorShift = 9;

    /// <summary>The largest logical or physical block size, 128 KiB (SPA_OLD_MAXBLOCKSIZE).</summary>
    public const int MaxBlockSize = 128 * 1024;

    private static class Offsets
    {
        public const int Dva0Word0 = 0;        // asize in sectors (bits 0-23), grid, vdev id (bits 32-63)
        public const int Dva0Word1 = 8;        // offset in sectors (bits 0-62), gang flag (bit 63)
        public const int Dva1 = 16;            // second and third copies: unused, zero
        public const int Properties = 48;      // blk_prop: sizes, compression, checksum, type, level, byte order
        public const int PhysicalBirth = 72;   // 0 means "same as the logical birth"
        public const int LogicalBirth = 80;
        public const int Fill = 88;
        public const int Checksum = 96;
    }

    private const int AllocatedSizeBits = 24;
    private const ulong GangBit = 1UL << 63;
    private const int EmbeddedBit = 39;

    /// <summary>Gets the offset of the block in bytes from the start of the allocatable area (4 MiB into the vdev).</summary>
    public long Offset { get; init; }

    /// <summary>Gets the allocated size in bytes: the physical size rounded up to the vdev's sector size.</summary>
    public int AllocatedSize { get; init; }

    /// <summary>Gets the logical (uncompressed) size in bytes.</summary>
    public int LogicalSize { get; init; }

    /// <summary>Gets the physical (stored) size in bytes.</summary>
    public int PhysicalSize { get; init; }

    /// <summary>Gets the compression function of the stored bytes.</summary>
    public ZioCompress Compression { get; init; }

    /// <summary>Gets the checksum function.</summary>
    public ZioChecksum ChecksumType { get; init; }

    /// <summary>Gets the type of the object the block belongs to.</summary>
    public DmuObjectType Type { get; init; }

    /// <summary>Gets the indirection level: 0 for data, 1 and up for indirect blocks.</summary>
    public int Level { get; init; }

    /// <summary>Gets the transaction group in which the block was written.</summary>
    public ulong BirthTxg { get; init; }

    /// <summary>Gets the fill count: 1 for a data block, allocated dnodes for a dnode block, the sum of the children for an indirect block.</summary>
    public ulong Fill { get; init; }

    /// <summary>Gets the checksum of the physical bytes.</summary>
    public ZioChecksumValue Checksum { get; init; }

    /// <summary>Gets the vdev of DVA[0]; always 0 in a single-vdev pool, read back only to check it.</summary>
    public uint VdevId { get; init; }

    /// <summary>Gets whether the DVA is a gang block; read back only to reject it.</summary>
    public bool IsGang { get; init; }

    /// <summary>Gets whether the pointer carries embedded data; read back only to reject it.</summary>
    public bool IsEmbedded { get; init; }

    /// <summary>Gets whether this is a hole: no block, all of its bytes read as zero.</summary>
    public bool IsHole => AllocatedSize == 0 && Offset == 0 && !IsEmbedded;

    /// <summary>Gets the hole: a pointer of 128 zero bytes.</summary>
    public static BlockPointer Hole => default;

    /// <summary>Writes the pointer; a hole is written as 128 zero bytes.</summary>
    public void Write(Span<byte> destination)
    {
        Debug.Assert(destination.Length >= Size, "A block pointer needs 128 bytes.");
        destination[..Size].Clear();
        if (IsHole)
        {
            return;
        }

        Debug.Assert(Offset % (1 << SectorShift) == 0 && AllocatedSize % (1 << SectorShift) == 0, "DVAs are in whole sectors.");
        Debug.Assert(LogicalSize is > 0 and <= MaxBlockSize && PhysicalSize is > 0 and <= MaxBlockSize, "Block sizes are 512 B to 128 KiB.");
        ulong dvaWord0 = (ulong)(AllocatedSize >> SectorShift);
        ulong dvaWord1 = (ulong)(Offset >> SectorShift);
        ulong properties =
            (uint)((LogicalSize >> SectorShift) - 1)
            | ((ulong)(uint)((PhysicalSize >> SectorShift) - 1) << 16)
            | ((ulong)Compression << 32)
            | ((ulong)ChecksumType << 40)
            | ((ulong)Type << 48)
            | ((ulong)Level << 56)
            | (1UL << 63); // byte order: little-endian

        BinaryPrimitives.WriteUInt64LittleEndian(destination[Offsets.Dva0Word0..], dvaWord0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[Offsets.Dva0Word1..], dvaWord1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[Offsets.Properties..], properties);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[Offsets.PhysicalBirth..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[Offsets.LogicalBirth..], BirthTxg);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[Offsets.Fill..], Fill);
        Checksum.Write(destination[Offsets.Checksum..]);
    }

    /// <summary>
    /// Reads a pointer without validating it; the reader checks sizes, DVA and checksum before it trusts one.
    /// Only DVA[0] is decoded, because this project's pools and OSv's writes keep a valid copy there.
    /// </summary>
    public static BlockPointer Read(ReadOnlySpan<byte> source)
    {
        ulong dvaWord0 = BinaryPrimitives.ReadUInt64LittleEndian(source[Offsets.Dva0Word0..]);
        ulong dvaWord1 = BinaryPrimitives.ReadUInt64LittleEndian(source[Offsets.Dva0Word1..]);
        ulong properties = BinaryPrimitives.ReadUInt64LittleEndian(source[Offsets.Properties..]);
        bool embedded = ((properties >> EmbeddedBit) & 1) != 0;
        if (!embedded && dvaWord0 == 0 && dvaWord1 == 0)
        {
            return Hole;
        }

        ulong logicalBirth = BinaryPrimitives.ReadUInt64LittleEndian(source[Offsets.LogicalBirth..]);
        return new BlockPointer
        {
            AllocatedSize = (int)Math.Min((long)(dvaWord0 & ((1UL << AllocatedSizeBits) - 1)) << SectorShift, int.MaxValue),
            VdevId = (uint)(dvaWord0 >> 32),
            Offset = (long)((dvaWord1 & ~GangBit) << SectorShift),
            IsGang = (dvaWord1 & GangBit) != 0,
            IsEmbedded = embedded,
            LogicalSize = (int)((properties & 0xFFFF) + 1) << SectorShift,
            PhysicalSize = (int)(((properties >> 16) & 0xFFFF) + 1) << SectorShift,
            Compression = (ZioCompress)((properties >> 32) & 0x7F),
            ChecksumType = (ZioChecksum)((properties >> 40) & 0xFF),
            Type = (DmuObjectType)((properties >> 48) & 0xFF),
            Level = (int)((properties >> 56) & 0x1F),
            BirthTxg = logicalBirth,
            Fill = BinaryPrimitives.ReadUInt64LittleEndian(source[Offsets.Fill..]),
            Checksum = ZioChecksumValue.Read(source[Offsets.Checksum..]),
        };
    }

    /// <summary>Describes the pointer the way zdb does, for error messages.</summary>
    public override string ToString() => IsHole
        ? "hole"
        : $"L{Level} {Type} DVA 0:{Offset:x}:{AllocatedSize:x} size {LogicalSize:x}L/{PhysicalSize:x}P fill {Fill} birth {BirthTxg}";
}
