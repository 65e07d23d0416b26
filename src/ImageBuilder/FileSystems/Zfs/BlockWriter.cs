using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Writes blocks to the vdev: compresses data blocks when asked, checksums with fletcher4, allocates, writes
/// the bytes and returns the block pointer. It also sums what was written, for the DSL space accounting.
/// </summary>
internal sealed class BlockWriter
{
    private readonly WriteBehindDevice _device;
    private readonly SpaceAllocator _allocator;
    private readonly int _sectorSize;
    private readonly byte[] _scratch = new byte[BlockPointer.MaxBlockSize];
    private List<Reservation>? _reservations;

    /// <summary>Creates a writer that places blocks with <paramref name="allocator"/> into <paramref name="device"/>.</summary>
    public BlockWriter(WriteBehindDevice device, SpaceAllocator allocator, int ashift, ulong birthTxg)
    {
        _device = device;
        _allocator = allocator;
        _sectorSize = 1 << ashift;
        BirthTxg = birthTxg;
    }

    /// <summary>Gets the transaction group stamped on every block.</summary>
    public ulong BirthTxg { get; }

    /// <summary>Gets the running totals of the blocks written so far.</summary>
    public SpaceUsage Usage { get; private set; }

    /// <summary>Gets whether any block was stored compressed with LZ4.</summary>
    public bool UsedLz4 { get; private set; }

    /// <summary>
    /// Writes one block of <paramref name="logical"/> bytes (a multiple of 512, at most 128 KiB).
    /// </summary>
    /// <param name="logical">The block's content.</param>
    /// <param name="type">The type of the object the block belongs to.</param>
    /// <param name="level">0 for data, the indirection level otherwise.</param>
    /// <param name="fill">The fill count to record.</param>
    /// <param name="options">Whether an all-zero block becomes a hole and whether to try LZ4.</param>
    /// <param name="source">
    /// Where the block's leading bytes come from in a host file, the rest being zero; when the block is stored
    /// uncompressed they are copied from there inside the kernel instead of written from <paramref name="logical"/>.
    /// </param>
    /// <returns>The block pointer, or a hole.</returns>
    public BlockPointer Write(ReadOnlySpan<byte> logical, DmuObjectType type, int level, ulong fill, BlockWriteOptions options = BlockWriteOptions.None, FileSource? source = null)
    {
        Debug.Assert(logical.Length > 0 && logical.Length % 512 == 0 && logical.Length <= BlockPointer.MaxBlockSize, "Blocks are whole sectors up to 128 KiB.");
        if ((options & BlockWriteOptions.ZeroIsHole) != 0 && !logical.ContainsAnyExcept((byte)0))
        {
            return BlockPointer.Hole;
        }

        // Compress when that saves at least an eighth, as zio_compress_data requires.
        ReadOnlySpan<byte> physical = logical;
        ZioCompress compression = ZioCompress.Off;
        if ((options & BlockWriteOptions.Lz4) != 0)
        {
            int limit = logical.Length - (logical.Length >> 3);
            int compressedSize = Lz4Block.Compress(logical, _scratch.AsSpan(0, limit));
            if (compressedSize > 0)
            {
                int rounded = RoundUp(compressedSize, 512);
                if (rounded < logical.Length)
                {
                    _scratch.AsSpan(compressedSize, rounded - compressedSize).Clear();
                    physical = _scratch.AsSpan(0, rounded);
                    compression = ZioCompress.Lz4;
                    UsedLz4 = true;
                }
            }
        }

        ZioChecksumValue checksum = Fletcher4.Compute(physical);
        int allocatedSize = RoundUp(physical.Length, _sectorSize);
        long offset = TakeSpace(allocatedSize);
        if (compression == ZioCompress.Off && source is { } file && _device.CanCopyFromFiles)
        {
            Debug.Assert(!logical[file.Length..].ContainsAnyExcept((byte)0), "Only the block's zero padding is left out of the copy.");
            long position = PoolGeometry.AllocatableStart + offset;
            _device.CopyFrom(file.Handle, file.Offset, file.Length, position, file.OnChange);
            _device.Write(position + file.Length, ZeroBlock.Span[..(allocatedSize - file.Length)]);
        }
        else
        {
            WriteBytes(offset, physical, allocatedSize);
        }

        bool isMetadata = level > 0 || type != DmuObjectType.PlainFileContents;
        Usage += new SpaceUsage(allocatedSize, physical.Length, isMetadata ? physical.Length : logical.Length);
        return new BlockPointer
        {
            Offset = offset,
            AllocatedSize = allocatedSize,
            LogicalSize = logical.Length,
            PhysicalSize = physical.Length,
            Compression = compression,
            ChecksumType = ZioChecksum.Fletcher4,
            Type = type,
            Level = level,
            BirthTxg = BirthTxg,
            Fill = fill,
            Checksum = checksum,
        };
    }

    /// <summary>Checks, once the blocks copied from <paramref name="source"/> are written, that the file did not change.</summary>
    public void VerifySource(Microsoft.Win32.SafeHandles.SafeFileHandle source, long length, DateTime lastWrite, Func<Exception> onChange)
    {
        if (_device.CanCopyFromFiles)
        {
            _device.VerifySource(source, length, lastWrite, onChange);
        }
    }

    /// <summary>Allocates space now for a block of <paramref name="physicalSize"/> bytes that is written later.</summary>
    public Reservation Reserve(int physicalSize)
    {
        int allocatedSize = RoundUp(physicalSize, _sectorSize);
        return new Reservation(_allocator.Allocate(allocatedSize), allocatedSize);
    }

    /// <summary>
    /// Makes the following writes use <paramref name="reservations"/> (each taken by the first write of the
    /// same allocated size) instead of new space; null returns to normal allocation.
    /// </summary>
    public void UseReservations(List<Reservation>? reservations) => _reservations = reservations;

    // Takes a matching reservation when a list is set, else allocates.
    private long TakeSpace(int allocatedSize)
    {
        if (_reservations is null)
        {
            return _allocator.Allocate(allocatedSize);
        }

        int index = _reservations.FindIndex(r => r.AllocatedSize == allocatedSize);
        if (index < 0)
        {
            throw new InvalidOperationException($"No space was reserved for a block of {allocatedSize} bytes; the reserved block count is wrong.");
        }

        Reservation reservation = _reservations[index];
        _reservations.RemoveAt(index);
        return reservation.Offset;
    }

    // Writes the block and zeroes the rest of its allocation, so that unused bytes do not depend on the stream's old content.
    private void WriteBytes(long offset, ReadOnlySpan<byte> physical, int allocatedSize)
    {
        long position = PoolGeometry.AllocatableStart + offset;
        _device.Write(position, physical);
        if (allocatedSize > physical.Length)
        {
            _device.Write(position + physical.Length, ZeroBlock.Span[..(allocatedSize - physical.Length)]);
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static readonly ReadOnlyMemory<byte> ZeroBlock = new byte[BlockPointer.MaxBlockSize];
}

/// <summary>Options of <see cref="BlockWriter.Write"/>.</summary>
[Flags]
internal enum BlockWriteOptions
{
    /// <summary>Write the block as it is.</summary>
    None = 0,

    /// <summary>Return a hole instead of writing an all-zero block.</summary>
    ZeroIsHole = 1,

    /// <summary>Store the block LZ4-compressed when that saves an eighth of it.</summary>
    Lz4 = 2,
}

/// <summary>A range of an open host file that holds a data block's leading bytes.</summary>
/// <param name="Handle">The open host file.</param>
/// <param name="Offset">The byte offset in the host file.</param>
/// <param name="Length">The number of bytes, at most the block's size.</param>
/// <param name="OnChange">Makes the error to report when the file turns out shorter while it is copied.</param>
internal readonly record struct FileSource(Microsoft.Win32.SafeHandles.SafeFileHandle Handle, long Offset, int Length, Func<Exception> OnChange);

/// <summary>Space allocated ahead of the block that fills it.</summary>
/// <param name="Offset">The DVA offset in bytes.</param>
/// <param name="AllocatedSize">The allocated size in bytes.</param>
internal readonly record struct Reservation(long Offset, int AllocatedSize);

/// <summary>
/// Sums of block sizes as the DSL accounts them: allocated bytes (used/referenced), physical bytes
/// (compressed) and logical bytes of data blocks plus physical bytes of metadata (uncompressed, BP_GET_UCSIZE).
/// </summary>
internal readonly record struct SpaceUsage(long Allocated, long Physical, long Uncompressed)
{
    /// <summary>Adds two usages.</summary>
    public static SpaceUsage operator +(SpaceUsage left, SpaceUsage right) =>
        new(left.Allocated + right.Allocated, left.Physical + right.Physical, left.Uncompressed + right.Uncompressed);

    /// <summary>Subtracts two usages, to get what was written between two moments.</summary>
    public static SpaceUsage operator -(SpaceUsage left, SpaceUsage right) =>
        new(left.Allocated - right.Allocated, left.Physical - right.Physical, left.Uncompressed - right.Uncompressed);
}
