using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using Osv.ImageBuilder.Assemble;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Writes blocks to the destination on a background thread, so that copying them into the destination
/// overlaps reading and checksumming the next ones. Writes that continue one another are merged into
/// 1 MiB requests. When the destination is a file, file data can also be copied straight from the host file
/// inside the kernel. Requests are applied in the order they were made, so the result is the same as writing
/// in place. At most <see cref="MaxPendingRequests"/> requests wait, and at most <see cref="MaxPendingBuffers"/>
/// of them hold a buffer, which bounds the memory to a few MiB and the host files held open to a few dozen.
/// </summary>
internal sealed class WriteBehindDevice : IDisposable
{
    /// <summary>The size of one merged request.</summary>
    public const int RequestSize = 1 << 20;

    /// <summary>The requests that may wait for the background thread.</summary>
    public const int MaxPendingRequests = 64;

    /// <summary>The write requests, each with a <see cref="RequestSize"/> buffer, that may wait.</summary>
    public const int MaxPendingBuffers = 8;

    /// <summary>The longest merged kernel copy, so that the background thread starts early enough.</summary>
    public const int MaxCopySize = 8 << 20;

    private readonly Stream _destination;
    private readonly SafeFileHandle? _handle;

    // The destination's start in the file of _handle, and the number of bytes it may take from there.
    private readonly long _fileOffset;
    private readonly long _capacity = long.MaxValue;
    private readonly BlockingCollection<Request> _queue = new(MaxPendingRequests);
    private readonly SemaphoreSlim _buffers = new(MaxPendingBuffers);
    private readonly Thread _thread;
    private WriteRequest? _open;
    private CopyRequest? _openCopy;
    private volatile ExceptionDispatchInfo? _failure;
    private bool _copyFileRanges;
    private bool _completed;

    /// <summary>Starts the background thread that writes into <paramref name="destination"/>.</summary>
    public WriteBehindDevice(Stream destination)
    {
        _destination = destination;

        // A file, or a partition window over one, is written with positional writes on the file's
        // handle, which skips the streams' own buffering and lets file data be copied in the kernel.
        if (destination is FileStream file)
        {
            file.Flush();
            _handle = file.SafeFileHandle;
            _copyFileRanges = FileRangeCopy.IsAvailable;
        }
        else if (destination is WindowStream window && window.TryGetFile(out FileStream? underlying, out long start))
        {
            underlying.Flush();
            _handle = underlying.SafeFileHandle;
            _fileOffset = start;
            _capacity = window.Capacity;
            _copyFileRanges = FileRangeCopy.IsAvailable;
        }

        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "ZFS block writer" };
        _thread.Start();
    }

    /// <summary>Gets whether <see cref="CopyFrom"/> may be used: the destination is a file.</summary>
    public bool CanCopyFromFiles => _handle is not null;

    /// <summary>Queues <paramref name="data"/> to be written at byte <paramref name="position"/> of the destination.</summary>
    /// <exception cref="IOException">An earlier write failed.</exception>
    public void Write(long position, ReadOnlySpan<byte> data)
    {
        ThrowIfFailed();
        if (_openCopy is not null)
        {
            FlushOpen();
        }

        while (data.Length > 0)
        {
            if (_open is not null && (_open.Position + _open.Length != position || _open.Length == RequestSize))
            {
                Enqueue(_open);
                _open = null;
            }

            if (_open is null)
            {
                _buffers.Wait();
                _open = new WriteRequest(ArrayPool<byte>.Shared.Rent(RequestSize), position, _buffers);
            }

            int part = Math.Min(data.Length, RequestSize - _open.Length);
            data[..part].CopyTo(_open.Buffer.AsSpan(_open.Length));
            _open.Length += part;
            position += part;
            data = data[part..];
        }
    }

    /// <summary>
    /// Queues a copy of <paramref name="length"/> bytes at <paramref name="sourceOffset"/> of the open file
    /// <paramref name="source"/> to byte <paramref name="position"/> of the destination; the handle is kept
    /// open until the copy is done. If the file ends early the device fails with <paramref name="onChange"/>.
    /// </summary>
    /// <exception cref="IOException">An earlier write failed.</exception>
    public void CopyFrom(SafeFileHandle source, long sourceOffset, int length, long position, Func<Exception> onChange)
    {
        ThrowIfFailed();

        // A copy that continues the previous one, from the same file to the next bytes, extends it.
        if (_openCopy is { } previous && previous.Source == source && previous.SourceOffset + previous.Length == sourceOffset
            && previous.Position + previous.Length == position && previous.Length + length <= MaxCopySize)
        {
            previous.Length += length;
            return;
        }

        FlushOpen();
        bool added = false;
        source.DangerousAddRef(ref added);
        _openCopy = new CopyRequest(source, sourceOffset, length, position, onChange);
    }

    /// <summary>
    /// Queues a check, after the copies queued before it, that <paramref name="source"/> still has the length
    /// and modification time it had when it was read; a change fails the device with <paramref name="onChange"/>.
    /// </summary>
    public void VerifySource(SafeFileHandle source, long length, DateTime lastWrite, Func<Exception> onChange)
    {
        ThrowIfFailed();
        FlushOpen();
        bool added = false;
        source.DangerousAddRef(ref added);
        Enqueue(new VerifyRequest(source, length, lastWrite, onChange));
    }

    /// <summary>Writes everything queued and stops the background thread.</summary>
    /// <exception cref="IOException">A write failed.</exception>
    /// <exception cref="ZfsWriteException">A host file changed while it was copied.</exception>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        FlushOpen();
        _completed = true;
        _queue.CompleteAdding();
        _thread.Join();
        _failure?.Throw();
    }

    /// <summary>Stops the background thread, writing what is queued, without reporting failures.</summary>
    public void Dispose()
    {
        if (!_completed)
        {
            FlushOpen();
            _completed = true;
            _queue.CompleteAdding();
            _thread.Join();
        }

        _queue.Dispose();
        _buffers.Dispose();
    }

    private void ThrowIfFailed()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _failure?.Throw();
    }

    // Hands the request being merged, if any, to the background thread; only one of the two is open at a time.
    private void FlushOpen()
    {
        if (_open is not null)
        {
            Enqueue(_open);
            _open = null;
        }

        if (_openCopy is not null)
        {
            Enqueue(_openCopy);
            _openCopy = null;
        }
    }

    // Hands a request to the background thread; blocks while the queue is full.
    private void Enqueue(Request request) => _queue.Add(request);

    // The background thread: applies requests in order; after a failure it only releases what they hold.
    private void WriteLoop()
    {
        foreach (Request request in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (_failure is null)
                {
                    Apply(request);
                }
            }
            catch (Exception exception) when (exception is IOException or NotSupportedException or UnauthorizedAccessException or ZfsWriteException)
            {
                _failure = ExceptionDispatchInfo.Capture(exception);
            }
            finally
            {
                request.Release();
            }
        }
    }

    private void Apply(Request request)
    {
        switch (request)
        {
            case WriteRequest write:
                WriteBytes(write.Buffer.AsSpan(0, write.Length), write.Position);
                break;
            case CopyRequest copy:
                try
                {
                    Copy(copy);
                }
                catch (EndOfStreamException)
                {
                    throw copy.OnChange();
                }

                break;
            case VerifyRequest verify:
                if (RandomAccess.GetLength(verify.Source) != verify.Length || File.GetLastWriteTimeUtc(verify.Source) != verify.LastWrite)
                {
                    throw verify.OnChange();
                }

                break;
        }
    }

    // Copies inside the kernel, or reads and writes through a buffer where the kernel does not support it.
    private void Copy(CopyRequest copy)
    {
        if (_copyFileRanges && FileRangeCopy.TryCopy(copy.Source, copy.SourceOffset, _handle!, FileOffset(copy.Position, copy.Length), copy.Length))
        {
            return;
        }

        _copyFileRanges = false;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(copy.Length);
        try
        {
            int done = 0;
            while (done < copy.Length)
            {
                int read = RandomAccess.Read(copy.Source, buffer.AsSpan(done, copy.Length - done), copy.SourceOffset + done);
                if (read == 0)
                {
                    throw new EndOfStreamException();
                }

                done += read;
            }

            WriteBytes(buffer.AsSpan(0, copy.Length), copy.Position);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes, long position)
    {
        if (_handle is not null)
        {
            RandomAccess.Write(_handle, bytes, FileOffset(position, bytes.Length));
        }
        else
        {
            _destination.Position = position;
            _destination.Write(bytes);
        }
    }

    // Returns the file offset of a write of `length` bytes at `position` of the destination, within its capacity.
    private long FileOffset(long position, long length)
    {
        if (position + length > _capacity)
        {
            throw new WindowFullException($"Writing {length} bytes at offset {position} goes past the end of the {_capacity}-byte partition.");
        }

        return _fileOffset + position;
    }

    // Something for the background thread to do.
    private abstract class Request
    {
        public abstract void Release();
    }

    // A run of bytes to write at one position; it gives its buffer slot back once written.
    private sealed class WriteRequest(byte[] buffer, long position, SemaphoreSlim slots) : Request
    {
        public byte[] Buffer { get; } = buffer;

        public long Position { get; } = position;

        public int Length { get; set; }

        public override void Release()
        {
            ArrayPool<byte>.Shared.Return(Buffer);
            slots.Release();
        }
    }

    // A range of a host file to copy to one position; holds a reference on the handle.
    private sealed class CopyRequest(SafeFileHandle source, long sourceOffset, int length, long position, Func<Exception> onChange) : Request
    {
        public Func<Exception> OnChange { get; } = onChange;

        public SafeFileHandle Source { get; } = source;

        public long SourceOffset { get; } = sourceOffset;

        public long Position { get; } = position;

        public int Length { get; set; } = length;

        public override void Release() => Source.DangerousRelease();
    }

    // A check that a host file did not change since it was read; holds a reference on the handle.
    private sealed class VerifyRequest(SafeFileHandle source, long length, DateTime lastWrite, Func<Exception> onChange) : Request
    {
        public SafeFileHandle Source { get; } = source;

        public long Length { get; } = length;

        public DateTime LastWrite { get; } = lastWrite;

        public Func<Exception> OnChange { get; } = onChange;

        public override void Release() => Source.DangerousRelease();
    }
}
