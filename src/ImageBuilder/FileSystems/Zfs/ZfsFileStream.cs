using Osv.ImageBuilder.Inspect;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// A read-only, seekable view of a ZPL file's content: blocks are read on demand through the file's block
/// tree, holes read as zeros without any I/O, and the length is the file's size attribute.
/// </summary>
internal sealed class ZfsFileStream : ReadOnlyDiskStream
{
    private readonly ObjectSetReader _objects;
    private readonly Dnode _dnode;
    private readonly string _path;
    private long _cachedBlockId = -1;
    private byte[]? _cachedBlock;

    /// <summary>Creates the stream over the file <paramref name="dnode"/> of <paramref name="length"/> bytes.</summary>
    public ZfsFileStream(ObjectSetReader objects, Dnode dnode, long length, string path)
        : base(length)
    {
        _objects = objects;
        _dnode = dnode;
        _path = path;
    }

    /// <summary>Copies the rest of the block at <paramref name="position"/>, or as much as fits.</summary>
    /// <exception cref="InvalidImageException">A block of the file is damaged.</exception>
    protected override int ReadAt(long position, Span<byte> buffer)
    {
        long blockSize = _dnode.DataBlockSize;
        int inBlock = (int)(position % blockSize);
        int count = (int)Math.Min(blockSize - inBlock, buffer.Length);
        byte[]? block = Block(position / blockSize);
        if (block is null)
        {
            buffer[..count].Clear();
        }
        else
        {
            block.AsSpan(inBlock, count).CopyTo(buffer);
        }

        return count;
    }

    // The block holding blockId, or null for a hole; the last one read is kept for sequential reads.
    private byte[]? Block(long blockId)
    {
        if (blockId != _cachedBlockId)
        {
            try
            {
                _cachedBlock = _objects.ReadBlock(_dnode, (ulong)blockId, $"file '{_path}'");
            }
            catch (Exception exception) when (exception is ArgumentException or IndexOutOfRangeException or OverflowException)
            {
                throw new InvalidImageException($"The ZFS file '{_path}' is damaged: {exception.Message}", exception);
            }

            _cachedBlockId = blockId;
        }

        return _cachedBlock;
    }
}
