using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Writes blocks to the destination on a background thread, so that copying them into the destination
/// overlaps reading and checksumming the next ones. Writes that continue one another are merged into
/// 1 MiB requests; they are applied in the order they were made, so the result is the same as writing in
/// place. At most <see cref="MaxPendingRequests"/> requests wait, which bounds the memory to a few MiB.
/// </summary>
internal sealed class WriteBehindDevice : IDisposable
{
    /// <summary>The size of one merged request.</summary>
    public const int RequestSize = 1 << 20;

    /// <summary>The requests that may wait for the background thread.</summary>
    public const int MaxPendingRequests = 8;

    private readonly Stream _destination;
    private readonly SafeFileHandle? _handle;
    private readonly BlockingCollection<Request> _queue = new(MaxPendingRequests);
    private readonly Thread _thread;
    private Request? _open;
    private ExceptionDispatchInfo? _failure;
    private bool _completed;

    /// <summary>Starts the background thread that writes into <paramref name="destination"/>.</summary>
    public WriteBehindDevice(Stream destination)
    {
        _destination = destination;

        // A file is written with positional writes on its handle, which skips the stream's own buffering.
        if (destination is FileStream file)
        {
            file.Flush();
            _handle = file.SafeFileHandle;
        }

        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "ZFS block writer" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="data"/> to be written at byte <paramref name="position"/> of the destination.</summary>
    /// <exception cref="IOException">An earlier write failed.</exception>
    public void Write(long position, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _failure?.Throw();
        while (data.Length > 0)
        {
            if (_open is not null && (_open.Position + _open.Length != position || _open.Length == RequestSize))
            {
                Enqueue();
            }

            _open ??= new Request(ArrayPool<byte>.Shared.Rent(RequestSize), position);
            int part = Math.Min(data.Length, RequestSize - _open.Length);
            data[..part].CopyTo(_open.Buffer.AsSpan(_open.Length));
            _open.Length += part;
            position += part;
            data = data[part..];
        }
    }

    /// <summary>Writes everything queued and stops the background thread; later writes go straight to the stream.</summary>
    /// <exception cref="IOException">A write failed.</exception>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        if (_open is not null)
        {
            Enqueue();
        }

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
            _completed = true;
            _queue.CompleteAdding();
            _thread.Join();
        }

        _queue.Dispose();
    }

    // Hands the open request to the background thread; blocks while the queue is full.
    private void Enqueue()
    {
        Request request = _open!;
        _open = null;
        _queue.Add(request);
    }

    // The background thread: applies requests in order; after a failure it only returns buffers.
    private void WriteLoop()
    {
        foreach (Request request in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (_failure is null)
                {
                    if (_handle is not null)
                    {
                        RandomAccess.Write(_handle, request.Buffer.AsSpan(0, request.Length), request.Position);
                    }
                    else
                    {
                        _destination.Position = request.Position;
                        _destination.Write(request.Buffer, 0, request.Length);
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or NotSupportedException or UnauthorizedAccessException)
            {
                _failure = ExceptionDispatchInfo.Capture(exception);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(request.Buffer);
            }
        }
    }

    // A run of bytes to write at one position.
    private sealed class Request(byte[] buffer, long position)
    {
        public byte[] Buffer { get; } = buffer;

        public long Position { get; } = position;

        public int Length { get; set; }
    }
}
