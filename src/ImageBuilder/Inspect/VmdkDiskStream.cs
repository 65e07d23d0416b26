using System.Buffers.Binary;
using System.IO.Compression;
using Osv.ImageBuilder.Containers;

namespace Osv.ImageBuilder.Inspect;

/// <summary>
/// A read-only view of the virtual disk inside a hosted sparse VMDK extent: monolithic sparse or
/// stream-optimized, with or without compressed grains and markers, with the grain directory in the
/// header or found through the footer. Descriptor-only files that name other extents are not read.
/// The file is untrusted and a malformed one raises <see cref="InvalidImageException"/>.
/// </summary>
internal sealed class VmdkDiskStream : ReadOnlyDiskStream
{
    // Bounds that keep a forged header from asking for huge tables or grains.
    private const long MaxGrainSectors = 1L << 12;
    private const uint MaxGrainTableEntries = 1 << 12;
    private const long MaxDirectoryBytes = 64L << 20;

    private readonly Stream _file;
    private readonly long _fileLength;
    private readonly long _grainBytes;
    private readonly uint _tableEntries;
    private readonly bool _compressed;
    private readonly bool _markers;
    private readonly uint[] _directory;
    private readonly Dictionary<uint, uint[]> _tables = [];
    private readonly byte[] _grain;
    private long _cachedGrain = -1;

    public VmdkDiskStream(Stream file)
        : this(file, ReadHeader(file))
    {
    }

    private VmdkDiskStream(Stream file, Header header)
        : base(header.CapacitySectors * VmdkLayout.SectorSize)
    {
        _file = file;
        _fileLength = file.Length;
        _grainBytes = header.GrainSectors * VmdkLayout.SectorSize;
        _tableEntries = header.TableEntries;
        _compressed = (header.Flags & VmdkLayout.Flags.Compressed) != 0;
        _markers = (header.Flags & VmdkLayout.Flags.Markers) != 0;
        if (_compressed && header.CompressAlgorithm != VmdkLayout.CompressionDeflate)
        {
            throw new InvalidImageException($"The VMDK header names compression algorithm {header.CompressAlgorithm}; only deflate (1) is read.");
        }

        long sectorsPerTable = header.GrainSectors * header.TableEntries;
        long directoryEntries = (header.CapacitySectors + sectorsPerTable - 1) / sectorsPerTable;
        if (directoryEntries * sizeof(uint) > MaxDirectoryBytes)
        {
            throw new InvalidImageException($"The VMDK grain directory would have {directoryEntries} entries, more than this reader loads.");
        }

        _directory = ReadEntries(header.DirectorySector, (int)directoryEntries, "the grain directory");
        _grain = new byte[_grainBytes];
    }

    protected override int ReadAt(long position, Span<byte> buffer)
    {
        long grainIndex = position / _grainBytes;
        int inGrain = (int)(position % _grainBytes);
        int length = (int)Math.Min(buffer.Length, _grainBytes - inGrain);
        if (!LoadGrain(grainIndex))
        {
            buffer[..length].Clear();
        }
        else
        {
            _grain.AsSpan(inGrain, length).CopyTo(buffer);
        }

        return length;
    }

    // Loads one grain into the buffer; returns false when it reads as zeros.
    private bool LoadGrain(long grainIndex)
    {
        if (grainIndex == _cachedGrain)
        {
            return true;
        }

        long directoryIndex = grainIndex / _tableEntries;
        uint tableSector = _directory[directoryIndex];
        if (tableSector == 0)
        {
            return false;
        }

        if (!_tables.TryGetValue(tableSector, out uint[]? table))
        {
            table = ReadEntries(tableSector, (int)_tableEntries, $"grain table {directoryIndex}");
            if (_tables.Count >= 64)
            {
                _tables.Clear();
            }

            _tables.Add(tableSector, table);
        }

        // 0 is an unallocated grain and 1 a zero grain; both read as zeros.
        uint grainSector = table[grainIndex % _tableEntries];
        if (grainSector <= 1)
        {
            return false;
        }

        long offset = (long)grainSector * VmdkLayout.SectorSize;
        if (!_compressed)
        {
            CheckRange(offset, _grainBytes, $"grain {grainIndex}");
            _file.Position = offset;
            _file.ReadExactly(_grain);
        }
        else
        {
            InflateGrain(grainIndex, offset);
        }

        _cachedGrain = grainIndex;
        return true;
    }

    // Reads a compressed grain, checking its marker when the stream has markers.
    private void InflateGrain(long grainIndex, long offset)
    {
        Span<byte> marker = stackalloc byte[VmdkLayout.MarkerFields.GrainData];
        CheckRange(offset, marker.Length, $"the marker of grain {grainIndex}");
        _file.Position = offset;
        _file.ReadExactly(marker);
        long dataOffset = offset + VmdkLayout.MarkerFields.GrainData;
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(marker[VmdkLayout.MarkerFields.Size..]);
        if (_markers)
        {
            ulong lba = BinaryPrimitives.ReadUInt64LittleEndian(marker[VmdkLayout.MarkerFields.Value..]);
            long expected = grainIndex * (_grainBytes / VmdkLayout.SectorSize);
            if (lba != (ulong)expected)
            {
                throw new InvalidImageException($"The VMDK grain marker at sector {offset / VmdkLayout.SectorSize} is for sector {lba}, but the grain table puts grain {grainIndex} (sector {expected}) there.");
            }
        }
        else
        {
            // Without markers, a compressed grain starts with its u32 length.
            size = BinaryPrimitives.ReadUInt32LittleEndian(marker[VmdkLayout.MarkerFields.Value..]);
            dataOffset = offset + sizeof(uint);
        }

        if (size == 0 || size > (_grainBytes * 2) + 1024)
        {
            throw new InvalidImageException($"The compressed VMDK grain {grainIndex} claims {size} bytes, which is not a valid compressed grain size.");
        }

        CheckRange(dataOffset, size, $"the data of grain {grainIndex}");
        byte[] compressed = new byte[size];
        _file.Position = dataOffset;
        _file.ReadExactly(compressed);
        try
        {
            using var source = new MemoryStream(compressed, writable: false);
            using var zlib = new ZLibStream(source, CompressionMode.Decompress);
            int total = zlib.ReadAtLeast(_grain, _grain.Length, throwOnEndOfStream: false);
            if (total != _grain.Length)
            {
                throw new InvalidImageException($"The compressed VMDK grain {grainIndex} inflates to {total} bytes instead of {_grain.Length}.");
            }
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidImageException($"The compressed VMDK grain {grainIndex} is not valid zlib data: {exception.Message}", exception);
        }
    }

    private uint[] ReadEntries(ulong sector, int count, string what)
    {
        if (sector > (ulong)(_fileLength / VmdkLayout.SectorSize))
        {
            throw new InvalidImageException($"The VMDK {what} at sector {sector} lies outside the {_fileLength}-byte file.");
        }

        long offset = (long)sector * VmdkLayout.SectorSize;
        CheckRange(offset, (long)count * sizeof(uint), what);
        byte[] bytes = new byte[count * sizeof(uint)];
        _file.Position = offset;
        _file.ReadExactly(bytes);
        uint[] entries = new uint[count];
        for (int i = 0; i < count; i++)
        {
            entries[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * sizeof(uint)));
        }

        return entries;
    }

    private void CheckRange(long offset, long length, string what)
    {
        if (offset < 0 || offset > _fileLength || length > _fileLength - offset)
        {
            throw new InvalidImageException($"The VMDK {what} ({length} bytes at offset {offset}) lies outside the {_fileLength}-byte file.");
        }
    }

    // Reads and checks the header; for a stream-optimized file whose header defers the grain directory
    // to the end, the footer's copy of the header is used.
    private static Header ReadHeader(Stream file)
    {
        long length = file.Length;
        Header header = ParseHeader(file, 0, length, "header");
        if (header.DirectorySector == VmdkLayout.GrainDirectoryAtEnd)
        {
            // The footer is the third sector from the end, after a footer marker, before the end-of-stream marker.
            long footerMarker = length - (3 * VmdkLayout.SectorSize);
            if (footerMarker < VmdkLayout.SectorSize)
            {
                throw new InvalidImageException("The VMDK header puts the grain directory offset in the footer, but the file is too short to have one.");
            }

            Span<byte> marker = stackalloc byte[VmdkLayout.SectorSize];
            file.Position = footerMarker;
            file.ReadExactly(marker);
            if (BinaryPrimitives.ReadUInt32LittleEndian(marker[VmdkLayout.MarkerFields.Type..]) != VmdkLayout.MarkerTypes.Footer)
            {
                throw new InvalidImageException($"The VMDK file has no footer marker at offset {footerMarker}; the stream is incomplete.");
            }

            header = ParseHeader(file, footerMarker + VmdkLayout.SectorSize, length, "footer");
            if (header.DirectorySector == VmdkLayout.GrainDirectoryAtEnd)
            {
                throw new InvalidImageException("The VMDK footer does not give the grain directory's offset.");
            }
        }

        return header;
    }

    private static Header ParseHeader(Stream file, long offset, long fileLength, string what)
    {
        Span<byte> sector = stackalloc byte[VmdkLayout.SectorSize];
        if (fileLength - offset < VmdkLayout.SectorSize)
        {
            throw new InvalidImageException($"The VMDK file is {fileLength} bytes long, too short for its {what}.");
        }

        file.Position = offset;
        file.ReadExactly(sector);
        if (BinaryPrimitives.ReadUInt32LittleEndian(sector[VmdkLayout.HeaderFields.Magic..]) != VmdkLayout.Magic)
        {
            throw new InvalidImageException($"The VMDK {what} at offset {offset} does not start with the magic 'KDMV'.");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(sector[VmdkLayout.HeaderFields.Version..]);
        ulong capacity = BinaryPrimitives.ReadUInt64LittleEndian(sector[VmdkLayout.HeaderFields.Capacity..]);
        ulong grainSectors = BinaryPrimitives.ReadUInt64LittleEndian(sector[VmdkLayout.HeaderFields.GrainSize..]);
        uint tableEntries = BinaryPrimitives.ReadUInt32LittleEndian(sector[VmdkLayout.HeaderFields.GrainTableEntries..]);
        if (version is < 1 or > 3)
        {
            throw new InvalidImageException($"The VMDK {what} has version {version}; versions 1 to 3 are read.");
        }

        if (grainSectors < 1 || grainSectors > MaxGrainSectors || (grainSectors & (grainSectors - 1)) != 0)
        {
            throw new InvalidImageException($"The VMDK {what} has a grain size of {grainSectors} sectors; it must be a power of two up to {MaxGrainSectors}.");
        }

        if (tableEntries < 1 || tableEntries > MaxGrainTableEntries)
        {
            throw new InvalidImageException($"The VMDK {what} has {tableEntries} grain table entries; it must be 1 to {MaxGrainTableEntries}.");
        }

        if (capacity == 0 || capacity > (ulong)(long.MaxValue / 4 / VmdkLayout.SectorSize))
        {
            throw new InvalidImageException($"The VMDK {what} has a capacity of {capacity} sectors, which is not a usable disk size; descriptor-only VMDK files are not read.");
        }

        return new Header(
            (long)capacity,
            (long)grainSectors,
            tableEntries,
            BinaryPrimitives.ReadUInt32LittleEndian(sector[VmdkLayout.HeaderFields.Flags..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[VmdkLayout.HeaderFields.GrainDirectoryOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(sector[VmdkLayout.HeaderFields.CompressAlgorithm..]));
    }

    private readonly record struct Header(long CapacitySectors, long GrainSectors, uint TableEntries, uint Flags, ulong DirectorySector, ushort CompressAlgorithm);
}
