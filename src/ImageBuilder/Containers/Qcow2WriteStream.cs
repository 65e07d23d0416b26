using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Osv.ImageBuilder.Containers;

/// <summary>
/// The virtual disk of an uncompressed qcow2 file being written, as a seekable stream. The disk
/// assembler and the filesystem writers write into it as into a raw disk. Each 64 KiB cluster they
/// touch gets the next free cluster of the file, the way QEMU allocates on first write, so the image is
/// written once, with no raw temporary file to convert. <see cref="Complete"/> writes the tables and the header.
/// </summary>
/// <remarks>
/// Writers that write every block in the same order give the same file, so the output is reproducible.
/// A cluster is allocated even when the bytes written to it are zeros. The filesystem writers skip
/// runs of zeros instead of writing them, so this costs little. Unwritten parts of an allocated cluster
/// read as zeros, because the file is extended with holes.
/// </remarks>
internal sealed class Qcow2WriteStream : Stream
{
    private const int ClusterSize = 1 << Qcow2Layout.ClusterBits;
    private const int EntriesPerTable = ClusterSize / sizeof(ulong);

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly long _virtualSize;

    // The file offset of each disk cluster written so far, by disk cluster index.
    private readonly Dictionary<long, long> _hostOffsets = [];
    private long _nextHostOffset = ClusterSize;
    private long _position;
    private long _length;
    private bool _completed;

    /// <param name="file">The empty qcow2 file; cluster 0 is kept for the header.</param>
    /// <param name="virtualSize">The size of the disk; writes past it are rejected.</param>
    public Qcow2WriteStream(FileStream file, long virtualSize)
    {
        _file = file;
        _handle = file.SafeFileHandle;
        _virtualSize = virtualSize;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => !_completed;

    /// <summary>Gets the disk's length: the end of the furthest write, or what <see cref="SetLength"/> set.</summary>
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    /// <summary>Sets the disk's length; it only changes what reads see, because the qcow2 size is fixed.</summary>
    public override void SetLength(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (value > _virtualSize)
        {
            throw new IOException($"The disk is {_virtualSize} bytes; it cannot grow to {value} bytes.");
        }

        _length = value;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_position + buffer.Length > _virtualSize)
        {
            throw new IOException($"A write of {buffer.Length} bytes at byte {_position} passes the end of the {_virtualSize}-byte disk.");
        }

        // Clusters allocated one after another are written with one call.
        while (buffer.Length > 0)
        {
            long hostOffset = HostOffset(_position);
            int run = Math.Min(buffer.Length, ClusterSize - (int)(_position % ClusterSize));
            while (run < buffer.Length && HostOffset(_position + run) == hostOffset + run)
            {
                run += Math.Min(buffer.Length - run, ClusterSize);
            }

            RandomAccess.Write(_handle, buffer[..run], hostOffset);
            buffer = buffer[run..];
            _position += run;
        }

        _length = Math.Max(_length, _position);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = (int)Math.Clamp(_length - _position, 0, buffer.Length);
        Span<byte> remaining = buffer[..total];
        while (remaining.Length > 0)
        {
            int inCluster = (int)(_position % ClusterSize);
            int part = Math.Min(remaining.Length, ClusterSize - inCluster);
            if (_hostOffsets.TryGetValue(_position / ClusterSize, out long hostOffset))
            {
                // A cluster whose end was never written lies partly past the end of the file.
                int read = RandomAccess.Read(_handle, remaining[..part], hostOffset + inCluster);
                remaining[read..part].Clear();
            }
            else
            {
                remaining[..part].Clear();
            }

            remaining = remaining[part..];
            _position += part;
        }

        return total;
    }

    public override void Flush()
    {
    }

    /// <summary>Writes the L2, L1 and refcount tables and the header; the stream takes no writes afterwards.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _completed = true;

        // Refcount 1 for the header cluster and for every data cluster, in file order.
        var refcounts = new List<ushort>((int)(_nextHostOffset / ClusterSize)) { 1 };
        var l2Tables = new SortedDictionary<long, ulong[]>();
        foreach ((long diskCluster, long hostOffset) in _hostOffsets)
        {
            Qcow2Writer.Reference(refcounts, hostOffset / ClusterSize);
            if (!l2Tables.TryGetValue(diskCluster / EntriesPerTable, out ulong[]? table))
            {
                table = new ulong[EntriesPerTable];
                l2Tables.Add(diskCluster / EntriesPerTable, table);
            }

            table[diskCluster % EntriesPerTable] = Qcow2Layout.EntryBits.Copied | (ulong)hostOffset;
        }

        byte[] cluster = ArrayPool<byte>.Shared.Rent(ClusterSize);
        try
        {
            Qcow2Writer.WriteMetadata(_file, _nextHostOffset, _virtualSize, l2Tables, refcounts, cluster);
            _file.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cluster);
        }
    }

    // Returns the file offset of the byte at disk offset `position`, allocating its cluster on first use.
    private long HostOffset(long position)
    {
        long diskCluster = position / ClusterSize;
        if (!_hostOffsets.TryGetValue(diskCluster, out long hostOffset))
        {
            hostOffset = _nextHostOffset;
            _nextHostOffset += ClusterSize;
            _hostOffsets.Add(diskCluster, hostOffset);
        }

        return hostOffset + (position % ClusterSize);
    }
}
