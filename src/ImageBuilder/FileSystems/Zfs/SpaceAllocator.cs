using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Hands out space in the allocatable area, deterministically. Full 128 KiB blocks take consecutive
/// 128 KiB-aligned chunks; smaller blocks are packed into a separate 128 KiB chunk until it is full. So no
/// block crosses a 128 KiB boundary, and therefore none crosses a metaslab boundary (metaslabs are
/// power-of-two sized and at least 256 KiB), whatever metaslab size is chosen at the end.
/// </summary>
internal sealed class SpaceAllocator
{
    /// <summary>The chunk the allocator works in: the largest block size.</summary>
    public const int ChunkSize = BlockPointer.MaxBlockSize;

    private readonly List<Extent> _closed = [];
    private readonly int _sectorSize;
    private long _capacity;
    private long _nextChunk;
    private long _smallNext;
    private long _smallEnd;
    private Extent _openLarge;
    private Extent _openSmall;

    /// <summary>Creates an allocator for a vdev with sectors of 2^<paramref name="ashift"/> bytes.</summary>
    /// <param name="ashift">The sector size as a shift.</param>
    /// <param name="capacity">The bytes blocks may occupy, or <see cref="long.MaxValue"/> while the pool size is open.</param>
    public SpaceAllocator(int ashift, long capacity)
    {
        _sectorSize = 1 << ashift;
        _capacity = capacity;
    }

    /// <summary>Gets the bytes allocated so far.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Gets the end of the highest allocation, which bounds the space the pool needs.</summary>
    public long HighWater => Math.Max(_nextChunk, 0);

    /// <summary>Gets or sets the bytes blocks may occupy.</summary>
    public long Capacity
    {
        get => _capacity;
        set
        {
            Debug.Assert(value >= HighWater, "The capacity cannot shrink below what is allocated.");
            _capacity = value;
        }
    }

    /// <summary>Returns the offset for a block of <paramref name="allocatedSize"/> bytes.</summary>
    /// <exception cref="PoolFullException">The block does not fit in the capacity.</exception>
    public long Allocate(int allocatedSize)
    {
        Debug.Assert(allocatedSize > 0 && allocatedSize <= ChunkSize && allocatedSize % _sectorSize == 0, "Blocks are whole sectors up to 128 KiB.");
        long offset;
        if (allocatedSize == ChunkSize)
        {
            offset = TakeChunk();
            Append(ref _openLarge, offset, allocatedSize);
        }
        else
        {
            if (_smallEnd - _smallNext < allocatedSize)
            {
                _smallNext = TakeChunk();
                _smallEnd = _smallNext + ChunkSize;
            }

            offset = _smallNext;
            _smallNext += allocatedSize;
            Append(ref _openSmall, offset, allocatedSize);
        }

        AllocatedBytes += allocatedSize;
        return offset;
    }

    /// <summary>Saves the allocator's state so that a trial allocation can be undone.</summary>
    public Checkpoint Save() => new(_closed.Count, _nextChunk, _smallNext, _smallEnd, _openLarge, _openSmall, AllocatedBytes);

    /// <summary>Undoes every allocation made after <paramref name="checkpoint"/>.</summary>
    public void Restore(Checkpoint checkpoint)
    {
        _closed.RemoveRange(checkpoint.ClosedCount, _closed.Count - checkpoint.ClosedCount);
        _nextChunk = checkpoint.NextChunk;
        _smallNext = checkpoint.SmallNext;
        _smallEnd = checkpoint.SmallEnd;
        _openLarge = checkpoint.OpenLarge;
        _openSmall = checkpoint.OpenSmall;
        AllocatedBytes = checkpoint.AllocatedBytes;
    }

    /// <summary>Returns every allocated range, sorted and with touching ranges merged.</summary>
    public List<Extent> AllocatedExtents()
    {
        var all = new List<Extent>(_closed.Count + 2);
        all.AddRange(_closed);
        if (_openLarge.Length > 0)
        {
            all.Add(_openLarge);
        }

        if (_openSmall.Length > 0)
        {
            all.Add(_openSmall);
        }

        all.Sort((x, y) => x.Offset.CompareTo(y.Offset));
        var merged = new List<Extent>(all.Count);
        foreach (Extent extent in all)
        {
            if (merged.Count > 0 && merged[^1].End == extent.Offset)
            {
                merged[^1] = merged[^1] with { Length = merged[^1].Length + extent.Length };
            }
            else
            {
                Debug.Assert(merged.Count == 0 || merged[^1].End < extent.Offset, "Allocations never overlap.");
                merged.Add(extent);
            }
        }

        return merged;
    }

    // Takes the next free 128 KiB chunk.
    private long TakeChunk()
    {
        if (_nextChunk + ChunkSize > _capacity)
        {
            throw new PoolFullException(_nextChunk + ChunkSize);
        }

        long chunk = _nextChunk;
        _nextChunk += ChunkSize;
        return chunk;
    }

    // Extends the open range of one cursor, or closes it and opens a new one.
    private void Append(ref Extent open, long offset, int length)
    {
        if (open.Length > 0 && open.End == offset)
        {
            open = open with { Length = open.Length + length };
            return;
        }

        if (open.Length > 0)
        {
            _closed.Add(open);
        }

        open = new Extent(offset, length);
    }

    /// <summary>The allocator's state at one moment.</summary>
    internal readonly record struct Checkpoint(int ClosedCount, long NextChunk, long SmallNext, long SmallEnd, Extent OpenLarge, Extent OpenSmall, long AllocatedBytes);
}

/// <summary>A range of the allocatable area, in bytes from its start.</summary>
/// <param name="Offset">The first byte.</param>
/// <param name="Length">The number of bytes.</param>
internal readonly record struct Extent(long Offset, long Length)
{
    /// <summary>Gets the first byte after the range.</summary>
    public long End => Offset + Length;
}

/// <summary>Thrown by the <see cref="SpaceAllocator"/> when a block does not fit in the pool.</summary>
internal sealed class PoolFullException : Exception
{
    /// <summary>Creates the exception for an allocation that would end at <paramref name="requiredBytes"/>.</summary>
    public PoolFullException(long requiredBytes)
        : base($"The pool needs at least {requiredBytes} allocatable bytes.")
    {
        RequiredBytes = requiredBytes;
    }

    /// <summary>Gets the allocatable bytes the failed allocation would have needed.</summary>
    public long RequiredBytes { get; }
}
