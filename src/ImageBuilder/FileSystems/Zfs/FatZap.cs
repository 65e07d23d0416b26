using System.Buffers.Binary;
using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The fat ZAP (zap_phys_t and zap_leaf_phys_t in OpenZFS's sys/zap_impl.h and sys/zap_leaf.h): block 0 is
/// a header with an embedded pointer table in its second half, and the other blocks are leaves. Each leaf
/// serves the hashes whose top prefix-length bits equal its prefix. Inside a leaf, a hash table of 2-byte
/// chunk numbers leads to 24-byte chunks that contain entries, names and values. Integer values are big-endian.
/// </summary>
internal static class FatZap
{
    /// <summary>The block type of the header (ZBT_HEADER).</summary>
    public const ulong HeaderBlockType = (1UL << 63) + 1;

    /// <summary>The block type of a leaf (ZBT_LEAF).</summary>
    public const ulong LeafBlockType = 1UL << 63;

    /// <summary>The header magic number (ZAP_MAGIC).</summary>
    public const ulong Magic = 0x2F52AB2AB;

    /// <summary>The leaf magic number (ZAP_LEAF_MAGIC).</summary>
    public const uint LeafMagic = 0x2AB1EAF;

    /// <summary>The size of a leaf chunk (ZAP_LEAF_CHUNKSIZE).</summary>
    public const int ChunkSize = 24;

    /// <summary>The bytes of name or value one array chunk carries (ZAP_LEAF_ARRAY_BYTES).</summary>
    public const int ArrayBytes = 21;

    /// <summary>The size of the leaf header: two chunks.</summary>
    public const int LeafHeaderSize = 2 * ChunkSize;

    /// <summary>The end of a chunk chain or an empty hash bucket.</summary>
    public const ushort ChainEnd = 0xFFFF;

    /// <summary>The chunk types.</summary>
    public const byte ChunkFree = 253;

    /// <summary>An entry chunk.</summary>
    public const byte ChunkEntry = 252;

    /// <summary>An array (name or value) chunk.</summary>
    public const byte ChunkArray = 251;

    /// <summary>The block shift the kernel uses for fat ZAPs (fzap_default_block_shift, 16 KiB).</summary>
    public const int DefaultBlockShift = 14;

    /// <summary>The block shift used when 16 KiB leaves cannot index a very large directory (128 KiB).</summary>
    public const int LargeBlockShift = 17;

    /// <summary>Offsets in the header block.</summary>
    public static class HeaderOffsets
    {
        public const int BlockType = 0;
        public const int Magic = 8;
        public const int TableBlock = 16;          // zt_blk: 0 while the pointer table is embedded
        public const int TableBlockCount = 24;     // zt_numblks
        public const int TableShift = 32;          // zt_shift: log2 of the pointer table entries
        public const int TableNextBlock = 40;
        public const int TableBlocksCopied = 48;
        public const int FreeBlock = 56;           // first block never used: leaves + 1
        public const int LeafCount = 64;
        public const int EntryCount = 72;
        public const int Salt = 80;
        public const int NormalizationFlags = 88;
        public const int Flags = 96;
    }

    /// <summary>Offsets in a leaf block.</summary>
    public static class LeafOffsets
    {
        public const int BlockType = 0;
        public const int Prefix = 16;
        public const int Magic = 24;               // uint32
        public const int FreeCount = 28;           // uint16 lh_nfree
        public const int EntryCount = 30;          // uint16 lh_nentries
        public const int PrefixLength = 32;        // uint16
        public const int FreeList = 34;            // uint16 first free chunk
        public const int HashTable = LeafHeaderSize;
    }

    /// <summary>Offsets in an entry chunk (zap_leaf_entry).</summary>
    public static class EntryOffsets
    {
        public const int Type = 0;
        public const int ValueIntegerSize = 1;
        public const int Next = 2;
        public const int NameChunk = 4;
        public const int NameLength = 6;           // bytes including the NUL
        public const int ValueChunk = 8;
        public const int ValueCount = 10;
        public const int Cd = 12;                  // uint32
        public const int Hash = 16;                // uint64
    }

    /// <summary>The offset of the next-chunk field of an array or free chunk.</summary>
    public const int ArrayNextOffset = 22;

    /// <summary>Gets the number of hash-table buckets of a leaf (ZAP_LEAF_HASH_NUMENTRIES).</summary>
    public static int HashBuckets(int blockShift) => 1 << (blockShift - 5);

    /// <summary>Gets the number of chunks of a leaf (ZAP_LEAF_NUMCHUNKS).</summary>
    public static int ChunkCount(int blockShift) => (((1 << blockShift) - (2 * HashBuckets(blockShift))) / ChunkSize) - 2;

    /// <summary>Gets the shift of the pointer table embedded in the header (ZAP_EMBEDDED_PTRTBL_SHIFT).</summary>
    public static int EmbeddedTableShift(int blockShift) => blockShift - 3 - 1;

    /// <summary>Gets the chunks an entry takes: the entry chunk, its name with NUL and its value.</summary>
    public static int ChunksOf(ZapEntry entry) =>
        1 + DivideRoundUp(entry.Name.Length + 1, ArrayBytes) + DivideRoundUp(entry.IntegerSize * entry.IntegerCount, ArrayBytes);

    /// <summary>
    /// Chooses the block size and the leaf prefix length: 16 KiB blocks and the fewest leaves in which every
    /// entry fits, or 128 KiB blocks when 16 KiB ones would need more leaves than the embedded pointer table
    /// indexes. Returns null when even that is too small.
    /// </summary>
    public static (int BlockShift, int PrefixLength)? Plan(IReadOnlyList<ZapEntry> entries)
    {
        foreach (int blockShift in (ReadOnlySpan<int>)[DefaultBlockShift, LargeBlockShift])
        {
            int capacity = ChunkCount(blockShift);
            for (int prefixLength = 0; prefixLength <= EmbeddedTableShift(blockShift); prefixLength++)
            {
                var used = new int[1 << prefixLength];
                bool fits = true;
                foreach (ZapEntry entry in entries)
                {
                    int leaf = LeafIndex(entry.Hash, prefixLength);
                    used[leaf] += ChunksOf(entry);
                    if (used[leaf] > capacity)
                    {
                        fits = false;
                        break;
                    }
                }

                if (fits)
                {
                    return (blockShift, prefixLength);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Builds the header and then each leaf, one block at a time; the entries' hashes and collision
    /// differentiators must be set, and <paramref name="plan"/> must come from <see cref="Plan"/>.
    /// </summary>
    public static IEnumerable<byte[]> Build(IReadOnlyList<ZapEntry> entries, ulong salt, (int BlockShift, int PrefixLength) plan)
    {
        int blockShift = plan.BlockShift;
        int prefixLength = plan.PrefixLength;
        int leafCount = 1 << prefixLength;
        yield return BuildHeader(entries.Count, salt, blockShift, prefixLength);

        // Entries grouped by leaf; a stable sort keeps insertion order inside each leaf.
        ZapEntry[] sorted = [.. entries.OrderBy(e => LeafIndex(e.Hash, prefixLength))];
        int next = 0;
        for (int leaf = 0; leaf < leafCount; leaf++)
        {
            int start = next;
            while (next < sorted.Length && LeafIndex(sorted[next].Hash, prefixLength) == leaf)
            {
                next++;
            }

            yield return BuildLeaf(sorted.AsSpan(start, next - start), blockShift, leaf, prefixLength);
        }
    }

    /// <summary>Returns the leaf that serves <paramref name="hash"/> at a prefix length.</summary>
    public static int LeafIndex(ulong hash, int prefixLength) => prefixLength == 0 ? 0 : (int)(hash >> (64 - prefixLength));

    // The header: pointer table embedded in the block's second half, entry i naming the leaf block of hash prefix i.
    private static byte[] BuildHeader(int entryCount, ulong salt, int blockShift, int prefixLength)
    {
        int blockSize = 1 << blockShift;
        int tableShift = EmbeddedTableShift(blockShift);
        var block = new byte[blockSize];
        Span<byte> span = block;
        BinaryPrimitives.WriteUInt64LittleEndian(span[HeaderOffsets.BlockType..], HeaderBlockType);
        BinaryPrimitives.WriteUInt64LittleEndian(span[HeaderOffsets.Magic..], Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(span[HeaderOffsets.TableShift..], (ulong)tableShift);
        BinaryPrimitives.WriteUInt64LittleEndian(span[HeaderOffsets.FreeBlock..], (ulong)(1 << prefixLength) + 1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[HeaderOffsets.LeafCount..], (ulong)(1 << prefixLength));
        BinaryPrimitives.WriteUInt64LittleEndian(span[HeaderOffsets.EntryCount..], (ulong)entryCount);
        BinaryPrimitives.WriteUInt64LittleEndian(span[HeaderOffsets.Salt..], salt);

        Span<byte> table = span[(blockSize / 2)..];
        for (int i = 0; i < 1 << tableShift; i++)
        {
            ulong leafBlock = (ulong)(i >> (tableShift - prefixLength)) + 1;
            BinaryPrimitives.WriteUInt64LittleEndian(table[(i * sizeof(ulong))..], leafBlock);
        }

        return block;
    }

    // One leaf: entries take consecutive chunks from 0; the free chunks after them form the free list.
    private static byte[] BuildLeaf(ReadOnlySpan<ZapEntry> entries, int blockShift, int prefix, int prefixLength)
    {
        int blockSize = 1 << blockShift;
        int buckets = HashBuckets(blockShift);
        int chunkCount = ChunkCount(blockShift);
        int chunksStart = LeafOffsets.HashTable + (2 * buckets);
        var block = new byte[blockSize];
        Span<byte> span = block;
        span.Slice(LeafOffsets.HashTable, 2 * buckets).Fill(0xFF);

        int nextChunk = 0;
        foreach (ZapEntry entry in entries)
        {
            // The entry chunk, linked at the head of its bucket's chain.
            int entryChunk = nextChunk++;
            int bucket = (int)((entry.Hash >> (64 - (blockShift - 5) - prefixLength)) & (ulong)(buckets - 1));
            Span<byte> bucketSlot = span.Slice(LeafOffsets.HashTable + (2 * bucket), 2);
            Span<byte> chunk = Chunk(span, chunksStart, entryChunk);
            chunk[EntryOffsets.Type] = ChunkEntry;
            chunk[EntryOffsets.ValueIntegerSize] = (byte)entry.IntegerSize;
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[EntryOffsets.Next..], BinaryPrimitives.ReadUInt16LittleEndian(bucketSlot));
            BinaryPrimitives.WriteUInt16LittleEndian(bucketSlot, (ushort)entryChunk);
            BinaryPrimitives.WriteUInt32LittleEndian(chunk[EntryOffsets.Cd..], entry.CollisionDifferentiator);
            BinaryPrimitives.WriteUInt64LittleEndian(chunk[EntryOffsets.Hash..], entry.Hash);

            // The name with its NUL, then the value as big-endian integers.
            byte[] name = [.. entry.Name, 0];
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[EntryOffsets.NameChunk..], (ushort)nextChunk);
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[EntryOffsets.NameLength..], (ushort)name.Length);
            nextChunk = WriteArray(span, chunksStart, nextChunk, name);

            byte[] value = EncodeValue(entry);
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[EntryOffsets.ValueChunk..], (ushort)nextChunk);
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[EntryOffsets.ValueCount..], (ushort)entry.IntegerCount);
            nextChunk = WriteArray(span, chunksStart, nextChunk, value);
        }

        Debug.Assert(nextChunk <= chunkCount, "The plan fitted every leaf's entries.");

        // The remaining chunks are free, chained in order.
        for (int i = nextChunk; i < chunkCount; i++)
        {
            Span<byte> chunk = Chunk(span, chunksStart, i);
            chunk[0] = ChunkFree;
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[ArrayNextOffset..], i + 1 < chunkCount ? (ushort)(i + 1) : ChainEnd);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[LeafOffsets.BlockType..], LeafBlockType);
        BinaryPrimitives.WriteUInt64LittleEndian(span[LeafOffsets.Prefix..], (ulong)prefix);
        BinaryPrimitives.WriteUInt32LittleEndian(span[LeafOffsets.Magic..], LeafMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[LeafOffsets.FreeCount..], (ushort)(chunkCount - nextChunk));
        BinaryPrimitives.WriteUInt16LittleEndian(span[LeafOffsets.EntryCount..], (ushort)entries.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[LeafOffsets.PrefixLength..], (ushort)prefixLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[LeafOffsets.FreeList..], nextChunk < chunkCount ? (ushort)nextChunk : ChainEnd);
        return block;
    }

    // Writes bytes into consecutive array chunks starting at chunk first; returns the chunk after the last.
    private static int WriteArray(Span<byte> leaf, int chunksStart, int first, ReadOnlySpan<byte> bytes)
    {
        int count = DivideRoundUp(bytes.Length, ArrayBytes);
        for (int i = 0; i < count; i++)
        {
            Span<byte> chunk = Chunk(leaf, chunksStart, first + i);
            chunk[0] = ChunkArray;
            ReadOnlySpan<byte> part = bytes.Slice(i * ArrayBytes, Math.Min(ArrayBytes, bytes.Length - (i * ArrayBytes)));
            part.CopyTo(chunk[1..]);
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[ArrayNextOffset..], i + 1 < count ? (ushort)(first + i + 1) : ChainEnd);
        }

        return first + count;
    }

    // The value's integers, each big-endian, back to back.
    private static byte[] EncodeValue(ZapEntry entry)
    {
        var bytes = new byte[entry.IntegerSize * entry.IntegerCount];
        int offset = 0;
        foreach (ulong value in entry.AllValues)
        {
            switch (entry.IntegerSize)
            {
                case 1:
                    bytes[offset] = (byte)value;
                    break;
                case 2:
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), (ushort)value);
                    break;
                case 4:
                    BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)value);
                    break;
                default:
                    BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), value);
                    break;
            }

            offset += entry.IntegerSize;
        }

        return bytes;
    }

    private static Span<byte> Chunk(Span<byte> leaf, int chunksStart, int index) => leaf.Slice(chunksStart + (index * ChunkSize), ChunkSize);

    private static int DivideRoundUp(int value, int divisor) => (value + divisor - 1) / divisor;
}
