using System.Buffers.Binary;
using System.Numerics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Lists the entries of a ZAP object, micro or fat. The fat ZAP's leaves are found through its pointer
/// table, embedded or in its own blocks, and every chunk number and chain is checked against the leaf.
/// </summary>
internal static class ZapReader
{
    private const int MaxNameLength = 1024 + 1;
    private const int MaxValueBytes = 8 * 1024;
    private const int MaxPointerTableBlocks = 1 << 16;

    /// <summary>Reads every entry of the ZAP <paramref name="dnode"/>.</summary>
    /// <exception cref="InvalidImageException">The ZAP is damaged.</exception>
    public static List<ZapRecord> Read(ObjectSetReader objects, Dnode dnode, string what)
    {
        byte[] first = objects.ReadBlock(dnode, 0, what)
            ?? throw new InvalidImageException($"The {what} is a ZAP without blocks.");
        if (first.Length < 128)
        {
            throw new InvalidImageException($"The first block of the {what} is {first.Length} bytes, too small for a ZAP.");
        }

        ulong blockType = BinaryPrimitives.ReadUInt64LittleEndian(first);
        if (blockType == MicroZap.BlockType)
        {
            return ReadMicro(first, what);
        }

        if (blockType != FatZap.HeaderBlockType || BinaryPrimitives.ReadUInt64LittleEndian(first.AsSpan(FatZap.HeaderOffsets.Magic)) != FatZap.Magic)
        {
            throw new InvalidImageException($"The {what} starts with block type 0x{blockType:x}, neither a micro ZAP nor a fat ZAP header.");
        }

        return ReadFat(objects, dnode, first, what);
    }

    private static List<ZapRecord> ReadMicro(byte[] block, string what)
    {
        var records = new List<ZapRecord>();
        foreach ((byte[] name, ulong value) in MicroZap.Read(block))
        {
            if (name.Length >= MicroZap.NameSize)
            {
                throw new InvalidImageException($"An entry of the micro ZAP {what} has a name without its terminating NUL.");
            }

            records.Add(new ZapRecord(name, sizeof(ulong), [value]));
        }

        return records;
    }

    private static List<ZapRecord> ReadFat(ObjectSetReader objects, Dnode dnode, byte[] header, string what)
    {
        int blockSize = header.Length;
        if (!BitOperations.IsPow2(blockSize) || blockSize < 1024)
        {
            throw new InvalidImageException($"The fat ZAP {what} has {blockSize}-byte blocks; fat ZAP blocks are powers of two of at least 1 KiB.");
        }

        int blockShift = BitOperations.Log2((uint)blockSize);
        ulong tableBlock = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(FatZap.HeaderOffsets.TableBlock));
        ulong tableBlocks = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(FatZap.HeaderOffsets.TableBlockCount));
        ulong tableShift = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(FatZap.HeaderOffsets.TableShift));

        // The leaves are the distinct blocks the pointer table names.
        var leaves = new SortedSet<ulong>();
        if (tableBlocks == 0)
        {
            if (tableShift > (ulong)FatZap.EmbeddedTableShift(blockShift))
            {
                throw new InvalidImageException($"The fat ZAP {what} has an invalid embedded pointer table of 2^{tableShift} entries; its block has room for 2^{FatZap.EmbeddedTableShift(blockShift)}.");
            }

            for (int i = 0; i < 1 << (int)tableShift; i++)
            {
                leaves.Add(BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan((blockSize / 2) + (i * sizeof(ulong)))));
            }
        }
        else
        {
            if (tableBlocks > MaxPointerTableBlocks || tableBlock + tableBlocks - 1 > dnode.MaxBlockId)
            {
                throw new InvalidImageException($"The fat ZAP {what} claims a pointer table of {tableBlocks} blocks at block {tableBlock}, beyond its {dnode.MaxBlockId + 1} blocks.");
            }

            for (ulong b = 0; b < tableBlocks; b++)
            {
                byte[] table = objects.ReadBlock(dnode, tableBlock + b, what)
                    ?? throw new InvalidImageException($"Pointer table block {tableBlock + b} of the fat ZAP {what} is a hole.");
                for (int i = 0; i < table.Length / sizeof(ulong); i++)
                {
                    leaves.Add(BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * sizeof(ulong))));
                }
            }
        }

        var records = new List<ZapRecord>();
        foreach (ulong leafId in leaves)
        {
            if (leafId == 0 || leafId > dnode.MaxBlockId)
            {
                throw new InvalidImageException($"The pointer table of the fat ZAP {what} names leaf block {leafId}, outside blocks 1 to {dnode.MaxBlockId}.");
            }

            byte[] leaf = objects.ReadBlock(dnode, leafId, what)
                ?? throw new InvalidImageException($"Leaf block {leafId} of the fat ZAP {what} is a hole.");
            ReadLeaf(leaf, blockShift, $"leaf {leafId} of the fat ZAP {what}", records);
        }

        return records;
    }

    // Collects every entry chunk of a leaf.
    private static void ReadLeaf(byte[] leaf, int blockShift, string what, List<ZapRecord> records)
    {
        if (BinaryPrimitives.ReadUInt64LittleEndian(leaf.AsSpan(FatZap.LeafOffsets.BlockType)) != FatZap.LeafBlockType
            || BinaryPrimitives.ReadUInt32LittleEndian(leaf.AsSpan(FatZap.LeafOffsets.Magic)) != FatZap.LeafMagic)
        {
            throw new InvalidImageException($"The {what} has no leaf block type and magic number.");
        }

        int chunkCount = FatZap.ChunkCount(blockShift);
        int chunksStart = FatZap.LeafOffsets.HashTable + (2 * FatZap.HashBuckets(blockShift));
        for (int i = 0; i < chunkCount; i++)
        {
            ReadOnlySpan<byte> chunk = leaf.AsSpan(chunksStart + (i * FatZap.ChunkSize), FatZap.ChunkSize);
            if (chunk[FatZap.EntryOffsets.Type] != FatZap.ChunkEntry)
            {
                continue;
            }

            int integerSize = chunk[FatZap.EntryOffsets.ValueIntegerSize];
            int nameChunk = BinaryPrimitives.ReadUInt16LittleEndian(chunk[FatZap.EntryOffsets.NameChunk..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(chunk[FatZap.EntryOffsets.NameLength..]);
            int valueChunk = BinaryPrimitives.ReadUInt16LittleEndian(chunk[FatZap.EntryOffsets.ValueChunk..]);
            int valueCount = BinaryPrimitives.ReadUInt16LittleEndian(chunk[FatZap.EntryOffsets.ValueCount..]);
            if (integerSize is not (1 or 2 or 4 or 8) || nameLength is < 1 or > MaxNameLength || valueCount * integerSize > MaxValueBytes)
            {
                throw new InvalidImageException($"Entry chunk {i} of the {what} has integer size {integerSize}, name length {nameLength} and {valueCount} values, which are invalid.");
            }

            byte[] name = ReadArray(leaf, chunksStart, chunkCount, nameChunk, nameLength, what);
            if (name[^1] != 0)
            {
                throw new InvalidImageException($"Entry chunk {i} of the {what} has a name without its terminating NUL.");
            }

            byte[] valueBytes = ReadArray(leaf, chunksStart, chunkCount, valueChunk, valueCount * integerSize, what);
            var values = new ulong[valueCount];
            for (int v = 0; v < valueCount; v++)
            {
                ReadOnlySpan<byte> field = valueBytes.AsSpan(v * integerSize, integerSize);
                values[v] = integerSize switch
                {
                    1 => field[0],
                    2 => BinaryPrimitives.ReadUInt16BigEndian(field),
                    4 => BinaryPrimitives.ReadUInt32BigEndian(field),
                    _ => BinaryPrimitives.ReadUInt64BigEndian(field),
                };
            }

            records.Add(new ZapRecord(name[..^1], integerSize, values));
        }
    }

    // Follows an array chain of chunks for length bytes; each link must be an array chunk inside the leaf.
    private static byte[] ReadArray(byte[] leaf, int chunksStart, int chunkCount, int first, int length, string what)
    {
        var bytes = new byte[length];
        int done = 0;
        int chunk = first;
        while (done < length)
        {
            if (chunk >= chunkCount)
            {
                throw new InvalidImageException($"An array chain of the {what} reaches chunk {chunk}; the leaf has {chunkCount}.");
            }

            ReadOnlySpan<byte> span = leaf.AsSpan(chunksStart + (chunk * FatZap.ChunkSize), FatZap.ChunkSize);
            if (span[0] != FatZap.ChunkArray)
            {
                throw new InvalidImageException($"Chunk {chunk} of the {what} should continue an array but has type {span[0]}.");
            }

            int part = Math.Min(FatZap.ArrayBytes, length - done);
            span.Slice(1, part).CopyTo(bytes.AsSpan(done));
            done += part;
            chunk = BinaryPrimitives.ReadUInt16LittleEndian(span[FatZap.ArrayNextOffset..]);
        }

        return bytes;
    }
}

/// <summary>One entry read from a ZAP.</summary>
/// <param name="Name">The name's bytes without NUL.</param>
/// <param name="IntegerSize">The size of each integer of the value.</param>
/// <param name="Values">The value's integers.</param>
internal sealed record ZapRecord(byte[] Name, int IntegerSize, ulong[] Values);
