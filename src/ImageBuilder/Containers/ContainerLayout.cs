using Osv.ImageBuilder.Assemble;

namespace Osv.ImageBuilder.Containers;

// Walks the clusters (or grains) of a raw disk that may hold data, in ascending order, and skips the
// ones that are all zeros. Shared by the qcow2 and VMDK writers.
internal static class ContainerLayout
{
    // Calls `visit(index, data)` for each cluster of `clusterSize` bytes that lies in an extent and is not all zeros.
    // The span holds the cluster's bytes, zero-filled past the end of the disk.
    public static void ForEachDataCluster(Stream raw, long virtualSize, IReadOnlyList<DiskExtent> extents, int clusterSize, byte[] buffer, Action<long, byte[]> visit, CancellationToken cancellationToken)
    {
        long lastVisited = -1;
        foreach (DiskExtent extent in extents.OrderBy(e => e.Offset))
        {
            long first = extent.Offset / clusterSize;
            long end = Math.Min((extent.End + clusterSize - 1) / clusterSize, (virtualSize + clusterSize - 1) / clusterSize);
            for (long index = Math.Max(first, lastVisited + 1); index < end; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                lastVisited = index;
                raw.Position = index * clusterSize;
                int read = raw.ReadAtLeast(buffer.AsSpan(0, clusterSize), clusterSize, throwOnEndOfStream: false);
                buffer.AsSpan(read, clusterSize - read).Clear();
                if (buffer.AsSpan(0, clusterSize).ContainsAnyExcept((byte)0))
                {
                    visit(index, buffer);
                }
            }
        }
    }

    // Returns the whole disk as one extent, for a raw disk whose layout is unknown.
    public static IReadOnlyList<DiskExtent> Whole(long virtualSize) => [new DiskExtent(0, virtualSize)];
}
