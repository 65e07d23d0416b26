using System.Buffers.Binary;
using System.IO.Compression;
using Osv.ImageBuilder.Containers;

namespace Osv.ImageBuilder.Inspect;

/// <summary>
/// A read-only view of the virtual disk inside a qcow2 file (version 2 or 3, no backing file, no
/// encryption, zlib compression). The file is untrusted: every table offset is checked against the
/// file, and a malformed file raises <see cref="InvalidImageException"/> when it is opened or read.
/// </summary>
internal sealed class Qcow2DiskStream : ReadOnlyDiskStream
{
    // QEMU's limit for the L1 table (QCOW_MAX_L1_SIZE), so a forged l1_size cannot exhaust memory.
    private const long MaxL1Bytes = 32L << 20;

    // Incompatible feature bits (version 3): 0 dirty, 1 corrupt, 2 external data file, 3 compression type, 4 extended L2.
    private const ulong DirtyBit = 1;

    private readonly Stream _file;
    private readonly long _fileLength;
    private readonly int _clusterBits;
    private readonly int _clusterSize;
    private readonly int _entriesPerTable;
    private readonly int _version;
    private readonly ulong[] _l1;
    private readonly Dictionary<long, ulong[]> _l2Cache = [];
    private readonly byte[] _cluster;
    private long _cachedCluster = -1;

    public Qcow2DiskStream(Stream file)
        : base(ReadVirtualSize(file))
    {
        _file = file;
        _fileLength = file.Length;
        Span<byte> header = stackalloc byte[Qcow2Layout.HeaderLengthV3];
        header.Clear();
        file.Position = 0;
        file.ReadAtLeast(header, Qcow2Layout.HeaderLengthV2, throwOnEndOfStream: true);

        _version = (int)BinaryPrimitives.ReadUInt32BigEndian(header[Qcow2Layout.HeaderFields.Version..]);
        _clusterBits = (int)BinaryPrimitives.ReadUInt32BigEndian(header[Qcow2Layout.HeaderFields.ClusterBits..]);
        if (_version is not (2 or 3))
        {
            throw new InvalidImageException($"The qcow2 header has version {_version}; versions 2 and 3 are read.");
        }

        if (_clusterBits is < 9 or > 21)
        {
            throw new InvalidImageException($"The qcow2 header has cluster_bits {_clusterBits}; it must be 9 to 21.");
        }

        _clusterSize = 1 << _clusterBits;
        _entriesPerTable = _clusterSize / sizeof(ulong);
        if (BinaryPrimitives.ReadUInt64BigEndian(header[Qcow2Layout.HeaderFields.BackingFileOffset..]) != 0)
        {
            throw new InvalidImageException("The qcow2 image has a backing file; only standalone images are read.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(header[Qcow2Layout.HeaderFields.CryptMethod..]) != 0)
        {
            throw new InvalidImageException("The qcow2 image is encrypted; encrypted images are not read.");
        }

        if (_version == 3)
        {
            ulong incompatible = BinaryPrimitives.ReadUInt64BigEndian(header[Qcow2Layout.HeaderFields.IncompatibleFeatures..]);
            if ((incompatible & ~DirtyBit) != 0)
            {
                throw new InvalidImageException($"The qcow2 image uses incompatible features 0x{incompatible:X} (corrupt flag, external data file, a compression type other than zlib, or extended L2 entries), which are not read.");
            }
        }

        uint l1Size = BinaryPrimitives.ReadUInt32BigEndian(header[Qcow2Layout.HeaderFields.L1Size..]);
        ulong l1Offset = BinaryPrimitives.ReadUInt64BigEndian(header[Qcow2Layout.HeaderFields.L1TableOffset..]);
        long bytesPerL1Entry = (long)_clusterSize * _entriesPerTable;
        long needed = (Length + bytesPerL1Entry - 1) / bytesPerL1Entry;
        if (l1Size < needed)
        {
            throw new InvalidImageException($"The qcow2 L1 table has {l1Size} entries but a disk of {Length} bytes needs {needed}.");
        }

        if ((long)l1Size * sizeof(ulong) > MaxL1Bytes)
        {
            throw new InvalidImageException($"The qcow2 L1 table has {l1Size} entries, more than the {MaxL1Bytes / sizeof(ulong)} QEMU allows.");
        }

        CheckRange(l1Offset, (long)l1Size * sizeof(ulong), "the L1 table");
        if (l1Offset % (ulong)_clusterSize != 0)
        {
            throw new InvalidImageException($"The qcow2 L1 table offset 0x{l1Offset:X} is not aligned to the {_clusterSize}-byte cluster size.");
        }

        _l1 = ReadTable((long)l1Offset, (int)l1Size);
        _cluster = new byte[_clusterSize];
    }

    /// <summary>Gets the cluster size in bytes.</summary>
    public int ClusterSize => _clusterSize;

    protected override int ReadAt(long position, Span<byte> buffer)
    {
        long clusterIndex = position / _clusterSize;
        int inCluster = (int)(position % _clusterSize);
        int length = Math.Min(buffer.Length, _clusterSize - inCluster);
        ReadOnlySpan<byte> data = LoadCluster(clusterIndex);
        if (data.IsEmpty)
        {
            buffer[..length].Clear();
        }
        else
        {
            data.Slice(inCluster, length).CopyTo(buffer);
        }

        return length;
    }

    // Returns the bytes of one guest cluster, or an empty span when it reads as zeros.
    private ReadOnlySpan<byte> LoadCluster(long clusterIndex)
    {
        if (clusterIndex == _cachedCluster)
        {
            return _cluster;
        }

        long l1Index = clusterIndex / _entriesPerTable;
        ulong l1Entry = _l1[l1Index];
        ulong l2Offset = l1Entry & Qcow2Layout.EntryBits.OffsetMask;
        if (l2Offset == 0)
        {
            return [];
        }

        ulong l2Entry = LoadL2((long)l2Offset, l1Index)[clusterIndex % _entriesPerTable];
        if ((l2Entry & Qcow2Layout.EntryBits.Compressed) != 0)
        {
            Inflate(l2Entry, clusterIndex);
            _cachedCluster = clusterIndex;
            return _cluster;
        }

        ulong offset = l2Entry & Qcow2Layout.EntryBits.OffsetMask;
        if ((_version == 3 && (l2Entry & Qcow2Layout.EntryBits.Zero) != 0) || offset == 0)
        {
            return [];
        }

        if (offset % (ulong)_clusterSize != 0 || offset >= (ulong)_fileLength)
        {
            throw new InvalidImageException($"The qcow2 L2 entry of guest cluster {clusterIndex} points to 0x{offset:X}, which is not a cluster inside the {_fileLength}-byte file.");
        }

        // A last cluster cut short by the end of the file reads as zeros past it, as QEMU reads it.
        _file.Position = (long)offset;
        int read = _file.ReadAtLeast(_cluster, _clusterSize, throwOnEndOfStream: false);
        _cluster.AsSpan(read).Clear();
        _cachedCluster = clusterIndex;
        return _cluster;
    }

    // Reads (or takes from the cache) the L2 table at `offset`.
    private ulong[] LoadL2(long offset, long l1Index)
    {
        if (_l2Cache.TryGetValue(offset, out ulong[]? table))
        {
            return table;
        }

        if (offset % _clusterSize != 0)
        {
            throw new InvalidImageException($"The qcow2 L1 entry {l1Index} points to 0x{offset:X}, which is not aligned to the {_clusterSize}-byte cluster size.");
        }

        CheckRange((ulong)offset, _clusterSize, $"the L2 table of L1 entry {l1Index}");
        table = ReadTable(offset, _entriesPerTable);

        // A small cache bounds memory; L2 tables are read again when the cache is full.
        if (_l2Cache.Count >= 64)
        {
            _l2Cache.Clear();
        }

        _l2Cache.Add(offset, table);
        return table;
    }

    // Decompresses a compressed cluster into the cluster buffer.
    private void Inflate(ulong entry, long clusterIndex)
    {
        int shift = Qcow2Layout.CompressedSizeShift(_clusterBits);
        ulong offsetMask = (1UL << shift) - 1;
        ulong hostOffset = entry & offsetMask;
        ulong sectors = ((entry & ~Qcow2Layout.EntryBits.Copied & ~Qcow2Layout.EntryBits.Compressed) >> shift) + 1;
        long compressedSize = (long)(sectors * Qcow2Layout.CompressedSectorSize) - (long)(hostOffset % Qcow2Layout.CompressedSectorSize);
        if (hostOffset >= (ulong)_fileLength)
        {
            throw new InvalidImageException($"The compressed qcow2 cluster {clusterIndex} starts at 0x{hostOffset:X}, past the end of the {_fileLength}-byte file.");
        }

        // The descriptor's last sector may run past the end of the file; what is there is read.
        int available = (int)Math.Min(compressedSize, _fileLength - (long)hostOffset);
        byte[] compressed = new byte[available];
        _file.Position = (long)hostOffset;
        _file.ReadExactly(compressed);
        try
        {
            using var source = new MemoryStream(compressed, writable: false);
            using var inflate = new DeflateStream(source, CompressionMode.Decompress);
            int total = inflate.ReadAtLeast(_cluster, _clusterSize, throwOnEndOfStream: false);
            if (total != _clusterSize)
            {
                throw new InvalidImageException($"The compressed qcow2 cluster {clusterIndex} at 0x{hostOffset:X} inflates to {total} bytes instead of {_clusterSize}.");
            }
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidImageException($"The compressed qcow2 cluster {clusterIndex} at 0x{hostOffset:X} is not valid deflate data: {exception.Message}", exception);
        }
    }

    private ulong[] ReadTable(long offset, int entries)
    {
        byte[] bytes = new byte[entries * sizeof(ulong)];
        _file.Position = offset;
        _file.ReadExactly(bytes);
        ulong[] table = new ulong[entries];
        for (int i = 0; i < entries; i++)
        {
            table[i] = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i * sizeof(ulong)));
        }

        return table;
    }

    private void CheckRange(ulong offset, long length, string what)
    {
        if (offset > (ulong)_fileLength || (ulong)length > (ulong)_fileLength - offset)
        {
            throw new InvalidImageException($"The qcow2 {what} ({length} bytes at 0x{offset:X}) lies outside the {_fileLength}-byte file.");
        }
    }

    // Reads the magic and the virtual size before the rest of the header is checked.
    private static long ReadVirtualSize(Stream file)
    {
        Span<byte> header = stackalloc byte[Qcow2Layout.HeaderLengthV2];
        file.Position = 0;
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            throw new InvalidImageException($"The qcow2 file is {file.Length} bytes long, shorter than its {Qcow2Layout.HeaderLengthV2}-byte header.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(header) != Qcow2Layout.Magic)
        {
            throw new InvalidImageException("The file does not start with the qcow2 magic 'QFI\\xfb'.");
        }

        ulong size = BinaryPrimitives.ReadUInt64BigEndian(header[Qcow2Layout.HeaderFields.Size..]);
        if (size > long.MaxValue / 2)
        {
            throw new InvalidImageException($"The qcow2 header gives the virtual size {size}, which is not a usable disk size.");
        }

        return (long)size;
    }
}
