using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Osv.ImageBuilder.Assemble;

namespace Osv.ImageBuilder.Containers;

/// <summary>
/// Writes a raw disk as a qcow2 version 3 file in one pass: the header cluster, then every cluster
/// that holds data (compressed or not), then the L2 tables, the L1 table and the refcount structures,
/// and finally the header again with their offsets. Zero clusters are left unallocated.
/// </summary>
/// <remarks>
/// Compressed clusters are raw deflate streams, which is what QEMU's qcow2 compression type 0 ("zlib")
/// stores; a cluster whose compressed form is not smaller is stored as it is.
/// </remarks>
internal static class Qcow2Writer
{
    private const int ClusterSize = 1 << Qcow2Layout.ClusterBits;
    private const int EntriesPerTable = ClusterSize / sizeof(ulong);
    private const int RefcountsPerBlock = ClusterSize * 8 / (1 << Qcow2Layout.RefcountOrder);

    // Writes the qcow2 form of `raw` into `destination`, which must be empty.
    public static void Write(Stream raw, long virtualSize, IReadOnlyList<DiskExtent> extents, Stream destination, bool compress, CancellationToken cancellationToken)
    {
        Debug.Assert(destination.Length == 0, "The destination must be empty.");
        var l2Tables = new SortedDictionary<long, ulong[]>();
        var refcounts = new List<ushort> { 1 };
        byte[] cluster = ArrayPool<byte>.Shared.Rent(ClusterSize);
        byte[] compressed = ArrayPool<byte>.Shared.Rent(ClusterSize * 2);
        try
        {
            // Cluster 0 is the header, written last.
            destination.Write(new byte[ClusterSize]);
            long position = ClusterSize;

            // The data clusters, in disk order.
            ContainerLayout.ForEachDataCluster(raw, virtualSize, extents, ClusterSize, cluster, (index, data) =>
            {
                ulong entry;
                int compressedLength = compress ? Deflate(data, compressed) : -1;
                if (compressedLength > 0 && compressedLength < ClusterSize)
                {
                    entry = CompressedEntry(position, compressedLength);
                    destination.Position = position;
                    destination.Write(compressed, 0, compressedLength);

                    // QEMU counts every cluster touched by the descriptor's sectors.
                    long firstSector = position / Qcow2Layout.CompressedSectorSize;
                    long lastSector = (position + compressedLength - 1) / Qcow2Layout.CompressedSectorSize;
                    long firstCluster = firstSector * Qcow2Layout.CompressedSectorSize / ClusterSize;
                    long lastCluster = (((lastSector + 1) * Qcow2Layout.CompressedSectorSize) - 1) / ClusterSize;
                    for (long c = firstCluster; c <= lastCluster; c++)
                    {
                        Reference(refcounts, c);
                    }

                    position += compressedLength;
                }
                else
                {
                    position = AlignUp(position);
                    entry = Qcow2Layout.EntryBits.Copied | (ulong)position;
                    destination.Position = position;
                    destination.Write(data, 0, ClusterSize);
                    Reference(refcounts, position / ClusterSize);
                    position += ClusterSize;
                }

                long l1Index = index / EntriesPerTable;
                if (!l2Tables.TryGetValue(l1Index, out ulong[]? table))
                {
                    table = new ulong[EntriesPerTable];
                    l2Tables.Add(l1Index, table);
                }

                table[index % EntriesPerTable] = entry;
            }, cancellationToken);

            WriteMetadata(destination, position, virtualSize, l2Tables, refcounts, cluster);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cluster);
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    /// <summary>
    /// Writes the tables that follow the data clusters: the L2 tables from <paramref name="position"/> on,
    /// the L1 table, the refcount blocks and table (which count every cluster, themselves included),
    /// and finally the header at offset 0.
    /// </summary>
    /// <param name="destination">The qcow2 file, holding the header cluster and the data clusters.</param>
    /// <param name="position">The end of the data clusters.</param>
    /// <param name="virtualSize">The size of the disk in bytes.</param>
    /// <param name="l2Tables">The L2 tables by L1 index, in ascending order.</param>
    /// <param name="refcounts">The refcount of each host cluster so far, the header's included.</param>
    /// <param name="cluster">A scratch buffer of at least one cluster.</param>
    internal static void WriteMetadata(Stream destination, long position, long virtualSize, SortedDictionary<long, ulong[]> l2Tables, List<ushort> refcounts, byte[] cluster)
    {
        // The L2 tables, one cluster each.
        position = AlignUp(position);
        long l1Size = (virtualSize + ((long)ClusterSize * EntriesPerTable) - 1) / ((long)ClusterSize * EntriesPerTable);
        ulong[] l1 = new ulong[l1Size];
        foreach ((long l1Index, ulong[] table) in l2Tables)
        {
            l1[l1Index] = Qcow2Layout.EntryBits.Copied | (ulong)position;
            WriteTable(destination, position, table, cluster);
            Reference(refcounts, position / ClusterSize);
            position += ClusterSize;
        }

        // The L1 table, padded to whole clusters.
        long l1Offset = position;
        long l1Clusters = Math.Max(1, ((l1Size * sizeof(ulong)) + ClusterSize - 1) / ClusterSize);
        WriteTable(destination, l1Offset, l1, cluster, l1Clusters);
        for (long c = 0; c < l1Clusters; c++)
        {
            Reference(refcounts, (position / ClusterSize) + c);
        }

        position += l1Clusters * ClusterSize;

        // The refcount blocks and table, which must count themselves too.
        long usedClusters = position / ClusterSize;
        long blocks = 0;
        long tableClusters = 0;
        while (true)
        {
            long total = usedClusters + blocks + tableClusters;
            long neededBlocks = (total + RefcountsPerBlock - 1) / RefcountsPerBlock;
            long neededTableClusters = Math.Max(1, ((neededBlocks * sizeof(ulong)) + ClusterSize - 1) / ClusterSize);
            if (neededBlocks == blocks && neededTableClusters == tableClusters)
            {
                break;
            }

            blocks = neededBlocks;
            tableClusters = neededTableClusters;
        }

        long refcountBlocksOffset = position;
        long refcountTableOffset = position + (blocks * ClusterSize);
        for (long c = usedClusters; c < usedClusters + blocks + tableClusters; c++)
        {
            Reference(refcounts, c);
        }

        ulong[] refcountTable = new ulong[tableClusters * EntriesPerTable];
        for (long b = 0; b < blocks; b++)
        {
            long blockOffset = refcountBlocksOffset + (b * ClusterSize);
            refcountTable[b] = (ulong)blockOffset;
            Array.Clear(cluster, 0, ClusterSize);
            for (int i = 0; i < RefcountsPerBlock; i++)
            {
                long hostCluster = (b * RefcountsPerBlock) + i;
                if (hostCluster >= refcounts.Count)
                {
                    break;
                }

                BinaryPrimitives.WriteUInt16BigEndian(cluster.AsSpan(i * sizeof(ushort)), refcounts[(int)hostCluster]);
            }

            destination.Position = blockOffset;
            destination.Write(cluster, 0, ClusterSize);
        }

        WriteTable(destination, refcountTableOffset, refcountTable, cluster, tableClusters);
        Debug.Assert(destination.Length == (usedClusters + blocks + tableClusters) * ClusterSize, "The file must end after the refcount table.");

        // The header, now that every offset is known.
        WriteHeader(destination, virtualSize, (uint)l1Size, l1Offset, refcountTableOffset, (uint)tableClusters);
    }

    private static long AlignUp(long position) => (position + ClusterSize - 1) / ClusterSize * ClusterSize;

    // Raises the refcount of one host cluster.
    internal static void Reference(List<ushort> refcounts, long hostCluster)
    {
        while (refcounts.Count <= hostCluster)
        {
            refcounts.Add(0);
        }

        refcounts[(int)hostCluster]++;
    }

    // Builds the L2 entry of a compressed cluster at `offset` of `length` bytes.
    private static ulong CompressedEntry(long offset, int length)
    {
        int shift = Qcow2Layout.CompressedSizeShift(Qcow2Layout.ClusterBits);
        ulong extraSectors = (ulong)(((offset + length - 1) / Qcow2Layout.CompressedSectorSize) - (offset / Qcow2Layout.CompressedSectorSize));
        return Qcow2Layout.EntryBits.Compressed | (extraSectors << shift) | (ulong)offset;
    }

    // Compresses one cluster as raw deflate; returns the length, or -1 when it does not fit the output.
    private static int Deflate(byte[] data, byte[] output)
    {
        using var memory = new MemoryStream(output, 0, output.Length, writable: true);
        try
        {
            using (var deflate = new DeflateStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(data, 0, ClusterSize);
            }

            return (int)memory.Position;
        }
        catch (NotSupportedException)
        {
            // The output buffer is full: the cluster does not compress.
            return -1;
        }
    }

    // Writes big-endian u64 entries as whole clusters at `offset`.
    private static void WriteTable(Stream destination, long offset, ulong[] entries, byte[] cluster, long clusters = 1)
    {
        destination.Position = offset;
        for (long c = 0; c < clusters; c++)
        {
            Array.Clear(cluster, 0, ClusterSize);
            for (int i = 0; i < EntriesPerTable; i++)
            {
                long index = (c * EntriesPerTable) + i;
                if (index >= entries.Length)
                {
                    break;
                }

                BinaryPrimitives.WriteUInt64BigEndian(cluster.AsSpan(i * sizeof(ulong)), entries[index]);
            }

            destination.Write(cluster, 0, ClusterSize);
        }
    }

    // Writes the version 3 header at offset 0.
    private static void WriteHeader(Stream destination, long virtualSize, uint l1Size, long l1Offset, long refcountTableOffset, uint refcountTableClusters)
    {
        Span<byte> header = stackalloc byte[Qcow2Layout.HeaderLengthV3];
        header.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(header[Qcow2Layout.HeaderFields.Magic..], Qcow2Layout.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(header[Qcow2Layout.HeaderFields.Version..], Qcow2Layout.Version);
        BinaryPrimitives.WriteUInt32BigEndian(header[Qcow2Layout.HeaderFields.ClusterBits..], Qcow2Layout.ClusterBits);
        BinaryPrimitives.WriteUInt64BigEndian(header[Qcow2Layout.HeaderFields.Size..], (ulong)virtualSize);
        BinaryPrimitives.WriteUInt32BigEndian(header[Qcow2Layout.HeaderFields.L1Size..], l1Size);
        BinaryPrimitives.WriteUInt64BigEndian(header[Qcow2Layout.HeaderFields.L1TableOffset..], (ulong)l1Offset);
        BinaryPrimitives.WriteUInt64BigEndian(header[Qcow2Layout.HeaderFields.RefcountTableOffset..], (ulong)refcountTableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(header[Qcow2Layout.HeaderFields.RefcountTableClusters..], refcountTableClusters);
        BinaryPrimitives.WriteUInt32BigEndian(header[Qcow2Layout.HeaderFields.RefcountOrder..], Qcow2Layout.RefcountOrder);
        BinaryPrimitives.WriteUInt32BigEndian(header[Qcow2Layout.HeaderFields.HeaderLength..], Qcow2Layout.HeaderLengthV3);
        destination.Position = 0;
        destination.Write(header);
    }
}
