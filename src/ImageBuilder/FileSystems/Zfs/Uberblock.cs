using System.Buffers.Binary;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>The uberblock (uberblock_t): the root of the pool, pointing at the MOS; kept in the label's ring.</summary>
internal sealed record Uberblock
{
    /// <summary>The uberblock magic number (UBERBLOCK_MAGIC).</summary>
    public const ulong MagicValue = 0x00bab10c;

    /// <summary>The smallest ring slot, as a shift (UBERBLOCK_SHIFT); slots are max(this, ashift).</summary>
    public const int MinSlotShift = 10;

    private static class Offsets
    {
        public const int Magic = 0;
        public const int Version = 8;
        public const int Txg = 16;
        public const int GuidSum = 24;          // sum of every vdev GUID, the root vdev (= pool GUID) included
        public const int Timestamp = 32;        // seconds since the epoch
        public const int RootBlockPointer = 40; // the MOS objset
        public const int SoftwareVersion = 168; // OpenZFS field; older readers ignore it
    }

    /// <summary>Gets the pool version.</summary>
    public required ulong Version { get; init; }

    /// <summary>Gets the transaction group the uberblock was written in.</summary>
    public required ulong Txg { get; init; }

    /// <summary>Gets the sum of all vdev GUIDs.</summary>
    public required ulong GuidSum { get; init; }

    /// <summary>Gets the time the uberblock was written, in seconds since the epoch.</summary>
    public ulong Timestamp { get; init; }

    /// <summary>Gets the block pointer of the MOS objset.</summary>
    public required BlockPointer RootBlockPointer { get; init; }

    /// <summary>Writes the uberblock at the start of a ring slot, which must be zeroed.</summary>
    public void Write(Span<byte> slot)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.Magic..], MagicValue);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.Version..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.Txg..], Txg);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.GuidSum..], GuidSum);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.Timestamp..], Timestamp);
        RootBlockPointer.Write(slot[Offsets.RootBlockPointer..]);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[Offsets.SoftwareVersion..], Version);
    }

    /// <summary>Reads the uberblock of a slot, or returns null when the slot does not hold the magic number.</summary>
    public static Uberblock? Read(ReadOnlySpan<byte> slot)
    {
        if (BinaryPrimitives.ReadUInt64LittleEndian(slot[Offsets.Magic..]) != MagicValue)
        {
            return null;
        }

        return new Uberblock
        {
            Version = BinaryPrimitives.ReadUInt64LittleEndian(slot[Offsets.Version..]),
            Txg = BinaryPrimitives.ReadUInt64LittleEndian(slot[Offsets.Txg..]),
            GuidSum = BinaryPrimitives.ReadUInt64LittleEndian(slot[Offsets.GuidSum..]),
            Timestamp = BinaryPrimitives.ReadUInt64LittleEndian(slot[Offsets.Timestamp..]),
            RootBlockPointer = BlockPointer.Read(slot[Offsets.RootBlockPointer..]),
        };
    }
}
