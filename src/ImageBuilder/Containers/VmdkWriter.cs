using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Osv.ImageBuilder.Assemble;

namespace Osv.ImageBuilder.Containers;

/// <summary>
/// Writes a raw disk as a stream-optimized VMDK in one pass: the header and embedded descriptor, every
/// grain that holds data compressed behind a grain marker, the grain tables and the grain directory
/// behind their markers, then the footer and the end-of-stream marker.
/// </summary>
internal static class VmdkWriter
{
    private const int GrainSize = (int)(VmdkLayout.GrainSectors * VmdkLayout.SectorSize);
    private const long SectorsPerGrainTable = VmdkLayout.GrainSectors * VmdkLayout.GrainTableEntries;
    private const int GrainTableSectors = VmdkLayout.GrainTableEntries * sizeof(uint) / VmdkLayout.SectorSize;

    // Writes the VMDK form of `raw` into `destination`, which must be empty. The descriptor names
    // `extentFileName`, the name the file will have. A non-zero timestamp becomes the content ID;
    // otherwise the ID is taken from a hash of the grains.
    public static void Write(Stream raw, long virtualSize, IReadOnlyList<DiskExtent> extents, Stream destination, string extentFileName, long timestamp, CancellationToken cancellationToken)
    {
        Debug.Assert(destination.Length == 0, "The destination must be empty.");
        long capacity = (virtualSize + VmdkLayout.SectorSize - 1) / VmdkLayout.SectorSize;
        var grainTables = new SortedDictionary<long, uint[]>();
        byte[] grain = ArrayPool<byte>.Shared.Rent(GrainSize);
        byte[] compressed = ArrayPool<byte>.Shared.Rent(GrainSize * 2);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            // The header and descriptor are written last; grains start after the overhead.
            destination.Write(new byte[VmdkLayout.OverheadSectors * VmdkLayout.SectorSize]);
            long sector = VmdkLayout.OverheadSectors;

            // The grains, each behind a marker that gives its first sector and compressed length.
            ContainerLayout.ForEachDataCluster(raw, virtualSize, extents, GrainSize, grain, (index, data) =>
            {
                long grainSector = index * VmdkLayout.GrainSectors;
                int length = Compress(data, compressed, VmdkLayout.MarkerFields.GrainData);
                BinaryPrimitives.WriteUInt64LittleEndian(compressed.AsSpan(VmdkLayout.MarkerFields.Value), (ulong)grainSector);
                BinaryPrimitives.WriteUInt32LittleEndian(compressed.AsSpan(VmdkLayout.MarkerFields.Size), (uint)length);
                int total = VmdkLayout.MarkerFields.GrainData + length;
                int padded = PadToSector(total);
                compressed.AsSpan(total, padded - total).Clear();
                destination.Write(compressed, 0, padded);
                hash.AppendData(compressed, 0, padded);

                long tableIndex = grainSector / SectorsPerGrainTable;
                if (!grainTables.TryGetValue(tableIndex, out uint[]? table))
                {
                    table = new uint[VmdkLayout.GrainTableEntries];
                    grainTables.Add(tableIndex, table);
                }

                table[index % VmdkLayout.GrainTableEntries] = checked((uint)sector);
                sector += padded / VmdkLayout.SectorSize;
            }, cancellationToken);

            // The grain tables that have grains, each behind a marker.
            long directoryEntries = (capacity + SectorsPerGrainTable - 1) / SectorsPerGrainTable;
            uint[] directory = new uint[directoryEntries];
            foreach ((long tableIndex, uint[] table) in grainTables)
            {
                WriteMarker(destination, GrainTableSectors, VmdkLayout.MarkerTypes.GrainTable);
                sector++;
                directory[tableIndex] = checked((uint)sector);
                WriteEntries(destination, table);
                sector += GrainTableSectors;
            }

            // The grain directory behind its marker.
            long directorySectors = PadToSector(directoryEntries * sizeof(uint)) / VmdkLayout.SectorSize;
            WriteMarker(destination, directorySectors, VmdkLayout.MarkerTypes.GrainDirectory);
            sector++;
            long directorySector = sector;
            WriteEntries(destination, directory);
            sector += directorySectors;

            // The footer: a marker, a copy of the header that locates the directory, and the end of the stream.
            WriteMarker(destination, 1, VmdkLayout.MarkerTypes.Footer);
            destination.Write(BuildHeader(capacity, (ulong)directorySector));
            destination.Write(new byte[VmdkLayout.SectorSize]);

            // The header and the descriptor at the start.
            uint contentId = timestamp != 0 ? unchecked((uint)timestamp) : BinaryPrimitives.ReadUInt32LittleEndian(hash.GetHashAndReset());
            byte[] descriptor = BuildDescriptor(capacity, extentFileName, contentId);
            destination.Position = 0;
            destination.Write(BuildHeader(capacity, VmdkLayout.GrainDirectoryAtEnd));
            destination.Write(descriptor);
            destination.Position = destination.Length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(grain);
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    private static int PadToSector(int length) => (length + VmdkLayout.SectorSize - 1) / VmdkLayout.SectorSize * VmdkLayout.SectorSize;

    private static long PadToSector(long length) => (length + VmdkLayout.SectorSize - 1) / VmdkLayout.SectorSize * VmdkLayout.SectorSize;

    // Compresses one grain in zlib format into output[offset..]; returns the compressed length.
    private static int Compress(byte[] data, byte[] output, int offset)
    {
        using var memory = new MemoryStream(output, offset, output.Length - offset, writable: true);
        using (var zlib = new ZLibStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(data, 0, GrainSize);
        }

        return (int)memory.Position;
    }

    // Writes a one-sector marker for metadata of `sectors` sectors that follows it.
    private static void WriteMarker(Stream destination, long sectors, uint type)
    {
        Span<byte> marker = stackalloc byte[VmdkLayout.SectorSize];
        marker.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(marker[VmdkLayout.MarkerFields.Value..], (ulong)sectors);
        BinaryPrimitives.WriteUInt32LittleEndian(marker[VmdkLayout.MarkerFields.Type..], type);
        destination.Write(marker);
    }

    // Writes u32 entries, padded to whole sectors.
    private static void WriteEntries(Stream destination, uint[] entries)
    {
        byte[] bytes = new byte[PadToSector((long)entries.Length * sizeof(uint))];
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * sizeof(uint)), entries[i]);
        }

        destination.Write(bytes);
    }

    // Builds the 512-byte sparse extent header.
    private static byte[] BuildHeader(long capacity, ulong grainDirectoryOffset)
    {
        byte[] header = new byte[VmdkLayout.SectorSize];
        Span<byte> span = header;
        BinaryPrimitives.WriteUInt32LittleEndian(span[VmdkLayout.HeaderFields.Magic..], VmdkLayout.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[VmdkLayout.HeaderFields.Version..], VmdkLayout.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[VmdkLayout.HeaderFields.Flags..], VmdkLayout.Flags.NewlineDetection | VmdkLayout.Flags.Compressed | VmdkLayout.Flags.Markers);
        BinaryPrimitives.WriteUInt64LittleEndian(span[VmdkLayout.HeaderFields.Capacity..], (ulong)capacity);
        BinaryPrimitives.WriteUInt64LittleEndian(span[VmdkLayout.HeaderFields.GrainSize..], VmdkLayout.GrainSectors);
        BinaryPrimitives.WriteUInt64LittleEndian(span[VmdkLayout.HeaderFields.DescriptorOffset..], VmdkLayout.DescriptorOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(span[VmdkLayout.HeaderFields.DescriptorSize..], VmdkLayout.DescriptorSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(span[VmdkLayout.HeaderFields.GrainTableEntries..], VmdkLayout.GrainTableEntries);
        BinaryPrimitives.WriteUInt64LittleEndian(span[VmdkLayout.HeaderFields.GrainDirectoryOffset..], grainDirectoryOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(span[VmdkLayout.HeaderFields.Overhead..], VmdkLayout.OverheadSectors);
        span[VmdkLayout.HeaderFields.SingleEndLineChar] = (byte)'\n';
        span[VmdkLayout.HeaderFields.NonEndLineChar] = (byte)' ';
        span[VmdkLayout.HeaderFields.DoubleEndLineChar1] = (byte)'\r';
        span[VmdkLayout.HeaderFields.DoubleEndLineChar2] = (byte)'\n';
        BinaryPrimitives.WriteUInt16LittleEndian(span[VmdkLayout.HeaderFields.CompressAlgorithm..], VmdkLayout.CompressionDeflate);
        return header;
    }

    // Builds the embedded descriptor, padded to its reserved sectors.
    private static byte[] BuildDescriptor(long capacity, string extentFileName, uint contentId)
    {
        // The geometry QEMU writes: 16 heads and 63 sectors a track.
        long cylinders = Math.Min((capacity + (16 * 63) - 1) / (16 * 63), 16383);
        string text = string.Create(CultureInfo.InvariantCulture, $"""
            # Disk DescriptorFile
            version=1
            CID={contentId:x8}
            parentCID=ffffffff
            createType="streamOptimized"

            # Extent description
            RW {capacity} SPARSE "{extentFileName.Replace("\"", "", StringComparison.Ordinal)}"

            # The Disk Data Base
            #DDB

            ddb.virtualHWVersion = "4"
            ddb.geometry.cylinders = "{cylinders}"
            ddb.geometry.heads = "16"
            ddb.geometry.sectors = "63"
            ddb.adapterType = "ide"

            """).ReplaceLineEndings("\n");
        byte[] descriptor = new byte[VmdkLayout.DescriptorSectors * VmdkLayout.SectorSize];
        int length = Encoding.UTF8.GetBytes(text, descriptor);
        Debug.Assert(length < descriptor.Length, "The descriptor must fit its sectors.");
        return descriptor;
    }
}
