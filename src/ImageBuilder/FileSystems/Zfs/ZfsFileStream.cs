namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// A read-only, seekable view of a ZPL file's content: blocks are read on demand through the file's block
/// tree, holes read as zeros without any I/O, and the length is the file's size attribute.
/// </summary>
internal sealed class ZfsFileStream : Stream
{
    private readonly ObjectSetReader _objects;
    private readonly Dnode _dnode;
    private readonly string _path;
    private long _position;
    private long _cachedBlockId = -1;
    private byte[]? _cachedBlock;

    /// <summary>Creates the stream over the file <paramref name="dnode"/> of <paramref name="length"/> bytes.</summary>
    public ZfsFileStream(ObjectSetReader objects, Dnode dnode, long length, string path)
    {
        _objects = objects;
        _dnode = dnode;
        Length = length;
        _path = path;
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => true;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length { get; }

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length of the file from the current position.</summary>
    /// <exception cref="InvalidImageException">A block of the file is damaged.</exception>
    public override int Read(Span<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length && _position < Length)
        {
            long blockSize = _dnode.DataBlockSize;
            long blockId = _position / blockSize;
            int inBlock = (int)(_position % blockSize);
            int count = (int)Math.Min(Math.Min(blockSize - inBlock, buffer.Length - done), Length - _position);
            byte[]? block = Block(blockId);
            if (block is null)
            {
                buffer.Slice(done, count).Clear();
            }
            else
            {
                block.AsSpan(inBlock, count).CopyTo(buffer[done..]);
            }

            done += count;
            _position += count;
        }

        return done;
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        Position = target;
        return target;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("A file read from a ZFS image is read-only.");

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A file read from a ZFS image is read-only.");

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
