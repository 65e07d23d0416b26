using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The micro ZAP (mzap_phys_t): one block of 64-byte chunks, the first a header, each other one entry with a
/// 64-bit value and a name of up to 49 bytes. Layout from OpenZFS's sys/zap_impl.h.
/// </summary>
internal static class MicroZap
{
    /// <summary>The block type of a micro ZAP (ZBT_MICRO).</summary>
    public const ulong BlockType = (1UL << 63) + 3;

    /// <summary>The size of the header and of each entry (MZAP_ENT_LEN).</summary>
    public const int ChunkSize = 64;

    /// <summary>The room for a name and its NUL (MZAP_NAME_LEN).</summary>
    public const int NameSize = 50;

    /// <summary>The largest micro ZAP block (MZAP_MAX_BLKSZ, 128 KiB).</summary>
    public const int MaxBlockSize = BlockPointer.MaxBlockSize;

    /// <summary>The most entries a micro ZAP holds.</summary>
    public const int MaxEntries = (MaxBlockSize / ChunkSize) - 1;

    private static class Offsets
    {
        public const int BlockType = 0;
        public const int Salt = 8;
        public const int NormalizationFlags = 16;
        public const int EntryValue = 0;     // within an entry chunk
        public const int EntryCd = 8;        // uint32 collision differentiator
        public const int EntryName = 14;     // after a 2-byte pad
    }

    /// <summary>Gets the block size for <paramref name="entryCount"/> entries: the smallest power of two that holds them, at least 512.</summary>
    public static int BlockSizeFor(int entryCount) =>
        (int)Math.Max(512, BitOperations.RoundUpToPowerOf2((uint)((entryCount + 1) * ChunkSize)));

    /// <summary>Builds the block; the entries' hashes and collision differentiators must be set.</summary>
    public static byte[] Build(IReadOnlyList<ZapEntry> entries, ulong salt)
    {
        Debug.Assert(entries.Count <= MaxEntries, "The caller checked that the entries fit a micro ZAP.");
        var block = new byte[BlockSizeFor(entries.Count)];
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(Offsets.BlockType), BlockType);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(Offsets.Salt), salt);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(Offsets.NormalizationFlags), 0);
        for (int i = 0; i < entries.Count; i++)
        {
            ZapEntry entry = entries[i];
            Debug.Assert(entry.FitsMicroZap, "Micro ZAP entries have one 64-bit value and a short name.");
            Span<byte> chunk = block.AsSpan((i + 1) * ChunkSize, ChunkSize);
            BinaryPrimitives.WriteUInt64LittleEndian(chunk[Offsets.EntryValue..], entry.SingleValue);
            BinaryPrimitives.WriteUInt32LittleEndian(chunk[Offsets.EntryCd..], entry.CollisionDifferentiator);
            entry.Name.CopyTo(chunk[Offsets.EntryName..]);
        }

        return block;
    }

    /// <summary>Reads the entries of a micro ZAP block: name bytes and value; slots with an empty name are free.</summary>
    public static IEnumerable<(byte[] Name, ulong Value)> Read(byte[] block)
    {
        for (int offset = ChunkSize; offset + ChunkSize <= block.Length; offset += ChunkSize)
        {
            ReadOnlySpan<byte> chunk = block.AsSpan(offset, ChunkSize);
            ReadOnlySpan<byte> nameField = chunk.Slice(Offsets.EntryName, NameSize);
            int length = nameField.IndexOf((byte)0);
            if (length == 0)
            {
                continue;
            }

            if (length < 0)
            {
                length = NameSize; // not terminated: the reader reports it as invalid
            }

            yield return (nameField[..length].ToArray(), BinaryPrimitives.ReadUInt64LittleEndian(chunk[Offsets.EntryValue..]));
        }
    }

    /// <summary>Reads the salt of a micro ZAP block.</summary>
    public static ulong ReadSalt(ReadOnlySpan<byte> block) => BinaryPrimitives.ReadUInt64LittleEndian(block[Offsets.Salt..]);
}
