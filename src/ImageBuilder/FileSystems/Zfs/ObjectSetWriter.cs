using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Builds one objset: hands out object numbers, collects each object's dnode into the dnode array (16 KiB
/// blocks of 32 dnodes) and finally writes the meta-dnode's block tree and the objset block. In
/// incremental mode a dnode block is written as soon as every object numbered in it is complete, so memory
/// holds only the blocks still waiting for an object.
/// </summary>
internal sealed class ObjectSetWriter
{
    /// <summary>The size of a dnode array block (DNODE_BLOCK_SHIFT 14).</summary>
    public const int DnodeBlockSize = 16 * 1024;

    /// <summary>The dnodes in one array block.</summary>
    public const int DnodesPerBlock = DnodeBlockSize / Dnode.Size;

    private readonly BlockWriter _writer;
    private readonly ObjsetType _type;
    private readonly bool _incremental;
    private readonly int _metaDnodeMinimumLevels;
    private readonly Dictionary<long, PendingBlock> _pending = [];
    private readonly List<BlockPointer> _writtenBlocks = [];
    private ulong _nextObject = 1; // object 0 is the meta-dnode's own slot and never used

    /// <summary>Creates the builder of an objset.</summary>
    /// <param name="writer">Writes the blocks.</param>
    /// <param name="type">The objset type.</param>
    /// <param name="incremental">Whether to write dnode blocks as soon as they are complete.</param>
    /// <param name="metaDnodeMinimumLevels">The fewest levels of the meta-dnode's tree.</param>
    public ObjectSetWriter(BlockWriter writer, ObjsetType type, bool incremental, int metaDnodeMinimumLevels = 1)
    {
        _writer = writer;
        _type = type;
        _incremental = incremental;
        _metaDnodeMinimumLevels = metaDnodeMinimumLevels;
    }

    /// <summary>Gets the number of objects allocated so far.</summary>
    public ulong ObjectCount => _nextObject - 1;

    /// <summary>Gets the number of dnode array blocks the objects need.</summary>
    public int DnodeBlockCount => (int)((_nextObject + DnodesPerBlock - 1) / DnodesPerBlock);

    /// <summary>Returns the next object number; its dnode must be set with <see cref="SetDnode"/> before <see cref="Finish"/>.</summary>
    public ulong AllocateObject()
    {
        ulong id = _nextObject++;
        Block(id).Allocated++;
        if (id % DnodesPerBlock == DnodesPerBlock - 1)
        {
            TryFlush((long)(id / DnodesPerBlock));
        }

        return id;
    }

    /// <summary>Stores the final dnode of object <paramref name="id"/>.</summary>
    public void SetDnode(ulong id, Dnode dnode)
    {
        Debug.Assert(id > 0 && id < _nextObject, "Only allocated objects get a dnode.");
        PendingBlock block = Block(id);
        dnode.Write(block.Data.AsSpan((int)(id % DnodesPerBlock) * Dnode.Size, Dnode.Size));
        block.Set++;
        Debug.Assert(block.Set <= block.Allocated, "Each object's dnode is set once.");
        TryFlush((long)(id / DnodesPerBlock));
    }

    /// <summary>
    /// Writes the remaining dnode blocks, the meta-dnode's tree and the objset block, and returns the objset's
    /// block pointer, whose fill is the number of objects.
    /// </summary>
    public BlockPointer Finish()
    {
        // Every block is complete now that no more objects come.
        foreach (long blockId in _pending.Keys.Order().ToList())
        {
            PendingBlock block = _pending[blockId];
            Debug.Assert(block.Set == block.Allocated, $"Every object of dnode block {blockId} got its dnode.");
            WriteBlock(blockId, block);
        }

        _pending.Clear();

        // The meta-dnode points at the dnode array.
        var metaDnode = new Dnode
        {
            Type = DmuObjectType.Dnode,
            DataBlockSize = DnodeBlockSize,
            Checksum = ZioChecksum.Fletcher4,
            Compress = ZioCompress.Off,
        };
        var tree = new BlockTreeBuilder(_writer, DmuObjectType.Dnode, metaDnode.BlockPointers.Length, _metaDnodeMinimumLevels);
        foreach (BlockPointer pointer in _writtenBlocks)
        {
            tree.Add(pointer);
        }

        tree.Finish(metaDnode);

        byte[] objset = ObjsetPhys.Build(metaDnode, _type);
        return _writer.Write(objset, DmuObjectType.Objset, level: 0, fill: ObjectCount);
    }

    // Returns the pending block that holds an object's dnode, creating it when needed.
    private PendingBlock Block(ulong id)
    {
        long blockId = (long)(id / DnodesPerBlock);
        if (!_pending.TryGetValue(blockId, out PendingBlock? block))
        {
            block = new PendingBlock();
            _pending.Add(blockId, block);
        }

        return block;
    }

    // Writes a block once all its slots are numbered and set.
    private void TryFlush(long blockId)
    {
        if (!_incremental || !_pending.TryGetValue(blockId, out PendingBlock? block))
        {
            return;
        }

        bool allNumbered = _nextObject >= (ulong)(blockId + 1) * DnodesPerBlock;
        if (allNumbered && block.Set == block.Allocated)
        {
            WriteBlock(blockId, block);
            _pending.Remove(blockId);
        }
    }

    // Writes one dnode array block; its fill is the number of dnodes in use.
    private void WriteBlock(long blockId, PendingBlock block)
    {
        while (_writtenBlocks.Count <= blockId)
        {
            _writtenBlocks.Add(BlockPointer.Hole);
        }

        _writtenBlocks[(int)blockId] = _writer.Write(block.Data, DmuObjectType.Dnode, level: 0, fill: (ulong)block.Set);
    }

    // A dnode block being filled.
    private sealed class PendingBlock
    {
        public byte[] Data { get; } = new byte[DnodeBlockSize];

        public int Allocated { get; set; }

        public int Set { get; set; }
    }
}
