using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Builds an object's block tree bottom-up while its level-0 blocks are written in order: block pointers
/// collect in one 16 KiB indirect block per level, which is written as soon as it is full. Memory stays at
/// one indirect block per level, whatever the object's size. An indirect block whose children are all holes
/// becomes a hole itself.
/// </summary>
internal sealed class BlockTreeBuilder
{
    private readonly BlockWriter _writer;
    private readonly DmuObjectType _type;
    private readonly int _pointerCount;
    private readonly int _minimumLevels;
    private readonly List<BlockPointer[]> _pending = [];   // _pending[k]: pointers of level k not yet in a level k+1 block
    private readonly List<int> _pendingCount = [];
    private readonly List<long> _totalAtLevel = [];
    private byte[]? _indirectBuffer;
    private long _used;

    /// <summary>Creates a builder for an object of <paramref name="type"/>.</summary>
    /// <param name="writer">Writes the indirect blocks.</param>
    /// <param name="type">The object type, stamped on indirect blocks too.</param>
    /// <param name="pointerCount">The dnode's block pointers (nblkptr).</param>
    /// <param name="minimumLevels">The fewest levels the tree gets, even when fewer would do.</param>
    public BlockTreeBuilder(BlockWriter writer, DmuObjectType type, int pointerCount, int minimumLevels = 1)
    {
        _writer = writer;
        _type = type;
        _pointerCount = pointerCount;
        _minimumLevels = minimumLevels;
    }

    /// <summary>Gets the number of level-0 pointers added so far.</summary>
    public long Count => _totalAtLevel.Count == 0 ? 0 : _totalAtLevel[0];

    /// <summary>Adds the pointer of the next level-0 block (a hole is allowed, but not as the last one).</summary>
    public void Add(BlockPointer pointer)
    {
        _used += pointer.AllocatedSize;
        Push(0, pointer);
    }

    /// <summary>Writes what is left of the tree and fills the block-tree fields of <paramref name="dnode"/>.</summary>
    public void Finish(Dnode dnode)
    {
        Debug.Assert(dnode.BlockPointers.Length == _pointerCount, "The dnode has the pointer count the tree was built for.");
        int level = 0;
        while (true)
        {
            long total = level < _totalAtLevel.Count ? _totalAtLevel[level] : 0;
            if (total <= _pointerCount && level + 1 >= _minimumLevels)
            {
                // These pointers fit in the dnode: they were never flushed, since a flush needs a full block.
                for (int i = 0; i < _pointerCount; i++)
                {
                    dnode.BlockPointers[i] = i < total ? _pending[level][i] : BlockPointer.Hole;
                }

                dnode.Levels = (byte)(level + 1);
                break;
            }

            Flush(level);
            level++;
        }

        dnode.MaxBlockId = Count == 0 ? 0 : (ulong)(Count - 1);
        dnode.UsedBytes = (ulong)_used;
        dnode.IndirectShift = Dnode.IndirectBlockShift;
    }

    /// <summary>
    /// Returns the number of indirect blocks a tree of <paramref name="blockCount"/> level-0 blocks without
    /// holes needs, for reserving space ahead of writing it.
    /// </summary>
    public static int CountIndirectBlocks(long blockCount, int pointerCount, int minimumLevels = 1)
    {
        int count = 0;
        int level = 0;
        long atLevel = blockCount;
        while (!(atLevel <= pointerCount && level + 1 >= minimumLevels))
        {
            long blocks = Math.Max(1, (atLevel + Dnode.PointersPerIndirectBlock - 1) / Dnode.PointersPerIndirectBlock);
            count += (int)blocks;
            atLevel = blocks;
            level++;
        }

        return count;
    }

    // Appends a pointer to a level's pending block and writes the block when it is full.
    private void Push(int level, BlockPointer pointer)
    {
        while (_pending.Count <= level)
        {
            _pending.Add(new BlockPointer[Dnode.PointersPerIndirectBlock]);
            _pendingCount.Add(0);
            _totalAtLevel.Add(0);
        }

        _pending[level][_pendingCount[level]] = pointer;
        _pendingCount[level]++;
        _totalAtLevel[level]++;
        if (_pendingCount[level] == Dnode.PointersPerIndirectBlock)
        {
            Flush(level);
        }
    }

    // Writes the pending pointers of a level as one indirect block of the level above, and pushes its pointer.
    private void Flush(int level)
    {
        if (level >= _pending.Count)
        {
            // A level with no pointers (an empty object forced to more levels) gets a hole above it.
            Push(level + 1, BlockPointer.Hole);
            return;
        }

        int count = _pendingCount[level];
        if (count == 0 && _totalAtLevel[level] > 0)
        {
            return;
        }

        BlockPointer[] pointers = _pending[level];
        ulong fill = 0;
        bool allHoles = true;

        // Allocated on first use: most files fit in the dnode's own pointers and never need one.
        _indirectBuffer ??= new byte[1 << Dnode.IndirectBlockShift];
        Array.Clear(_indirectBuffer);
        for (int i = 0; i < count; i++)
        {
            fill += pointers[i].Fill;
            allHoles &= pointers[i].IsHole;
            pointers[i].Write(_indirectBuffer.AsSpan(i * BlockPointer.Size));
        }

        BlockPointer parent = allHoles
            ? BlockPointer.Hole
            : _writer.Write(_indirectBuffer, _type, level + 1, fill);
        _used += parent.AllocatedSize;
        Array.Clear(pointers);
        _pendingCount[level] = 0;
        Push(level + 1, parent);
    }
}
