namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>A read-only stream of zeros with a few islands of data, the expected content of a sparse file.</summary>
internal sealed class IslandStream : Stream
{
    private readonly List<(long Offset, byte[] Data)> _islands;
    private long _position;

    /// <summary>Creates a stream of <paramref name="length"/> bytes with <paramref name="islands"/> of data.</summary>
    public IslandStream(long length, IEnumerable<(long Offset, byte[] Data)> islands)
    {
        Length = length;
        _islands = [.. islands];
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length { get; }

    /// <inheritdoc/>
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        int length = (int)Math.Min(count, Length - _position);
        Span<byte> destination = buffer.AsSpan(offset, length);
        destination.Clear();
        foreach ((long start, byte[] data) in _islands)
        {
            long from = Math.Max(start, _position);
            long to = Math.Min(start + data.Length, _position + length);
            if (from < to)
            {
                data.AsSpan((int)(from - start), (int)(to - from)).CopyTo(destination[(int)(from - _position)..]);
            }
        }

        _position += length;
        return length;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
