namespace Osv.ImageBuilder.Inspect;

/// <summary>
/// The base of the read-only views of images (virtual disks, files inside a filesystem): it keeps the
/// position and the length and reads the bytes at a position from the format, one piece at a time.
/// </summary>
internal abstract class ReadOnlyDiskStream : Stream
{
    private long _position;

    protected ReadOnlyDiskStream(long length)
    {
        Length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length && _position < Length)
        {
            int wanted = (int)Math.Min(buffer.Length - total, Length - _position);
            int read = ReadAt(_position, buffer.Slice(total, wanted));
            if (read <= 0)
            {
                break;
            }

            total += read;
            _position += read;
        }

        return total;
    }

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

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("This view of an image is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("This view of an image is read-only.");

    // Copies up to buffer.Length bytes from `position` (below Length) and returns how many; at least 1.
    protected abstract int ReadAt(long position, Span<byte> buffer);
}
