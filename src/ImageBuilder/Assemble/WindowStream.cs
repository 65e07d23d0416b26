using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Osv.ImageBuilder.Assemble;

/// <summary>
/// A view of a byte range of another seekable stream, so that a partition or a file inside an image
/// starts at position 0. Reads stop at the end of the window; writes past its capacity fail.
/// </summary>
/// <remarks>
/// The window moves the inner stream's position on every call, so two windows over one stream must
/// not be used at the same time from different threads.
/// </remarks>
public sealed class WindowStream : Stream
{
    private readonly Stream _inner;
    private readonly long _start;
    private readonly long _capacity;
    private readonly bool _writable;
    private readonly bool _leaveOpen;
    private long _position;
    private bool _disposed;

    /// <summary>Creates a window of <paramref name="capacity"/> bytes that starts at <paramref name="start"/> of <paramref name="inner"/>.</summary>
    /// <param name="inner">A seekable stream.</param>
    /// <param name="start">The offset of the window's first byte in <paramref name="inner"/>.</param>
    /// <param name="capacity">The maximum size of the window in bytes.</param>
    /// <param name="writable">Whether writes are allowed; <paramref name="inner"/> must then be writable.</param>
    /// <param name="leaveOpen">Whether disposing the window leaves <paramref name="inner"/> open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> cannot seek, or cannot write when <paramref name="writable"/> is set.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> or <paramref name="capacity"/> is negative.</exception>
    public WindowStream(Stream inner, long start, long capacity, bool writable, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        if (!inner.CanSeek)
        {
            throw new ArgumentException("The inner stream must be seekable.", nameof(inner));
        }

        if (writable && !inner.CanWrite)
        {
            throw new ArgumentException("The inner stream must be writable for a writable window.", nameof(inner));
        }

        _inner = inner;
        _start = start;
        _capacity = capacity;
        _writable = writable;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Gets the maximum size of the window in bytes.</summary>
    public long Capacity => _capacity;

    /// <inheritdoc/>
    public override bool CanRead => !_disposed && _inner.CanRead;

    /// <inheritdoc/>
    public override bool CanSeek => !_disposed;

    /// <inheritdoc/>
    public override bool CanWrite => !_disposed && _writable;

    /// <summary>Gets the bytes of the window that the inner stream holds: at most the capacity.</summary>
    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Math.Clamp(_inner.Length - _start, 0, _capacity);
        }
    }

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
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long available = Length - _position;
        if (available <= 0 || buffer.Length == 0)
        {
            return 0;
        }

        int length = (int)Math.Min(buffer.Length, available);
        _inner.Position = _start + _position;
        int read = _inner.Read(buffer[..length]);
        _position += read;
        return read;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>
    /// Returns the file under the window and where the window starts in it, so that a writer can write
    /// with positional system calls, or copy between files inside the kernel, instead of through the
    /// stream. Such a writer must keep its writes within <see cref="Capacity"/> itself.
    /// </summary>
    /// <returns>False when the window lies over a stream that is not a file.</returns>
    internal bool TryGetFile([NotNullWhen(true)] out FileStream? file, out long start)
    {
        file = _inner as FileStream;
        start = _start;
        return file is not null;
    }

    /// <inheritdoc/>
    /// <exception cref="WindowFullException">The write would go past the window's capacity.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_writable)
        {
            throw new NotSupportedException("The window is read-only.");
        }

        if (_position + buffer.Length > _capacity)
        {
            throw new WindowFullException(
                $"Writing {buffer.Length} bytes at offset {_position} goes past the end of the {_capacity}-byte window.");
        }

        _inner.Position = _start + _position;
        _inner.Write(buffer);
        _position += buffer.Length;
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
        if (target < 0)
        {
            throw new IOException("Cannot seek before the start of the window.");
        }

        _position = target;
        return target;
    }

    /// <inheritdoc/>
    /// <exception cref="WindowFullException"><paramref name="value"/> is larger than the capacity.</exception>
    public override void SetLength(long value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (!_writable)
        {
            throw new NotSupportedException("The window is read-only.");
        }

        if (value > _capacity)
        {
            throw new WindowFullException($"The window would need {value} bytes but has room for {_capacity} bytes.");
        }

        // Only growing is meaningful: the window cannot cut bytes that belong to what follows it.
        if (_start + value > _inner.Length)
        {
            _inner.SetLength(_start + value);
        }

        Debug.Assert(Length >= value, "The window must cover the requested length.");
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        if (_writable)
        {
            _inner.Flush();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed && !_leaveOpen)
        {
            _inner.Dispose();
        }

        _disposed = true;
        base.Dispose(disposing);
    }
}
