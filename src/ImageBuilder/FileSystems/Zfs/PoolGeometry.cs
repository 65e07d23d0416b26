using System.Diagnostics;
using System.Numerics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Where things sit on the single vdev: the four labels, the boot reserve, the allocatable area and its
/// metaslabs. Offsets from OSv's sys/vdev_impl.h (same values in OpenZFS).
/// </summary>
internal sealed record PoolGeometry
{
    /// <summary>The size of one label (vdev_label_t).</summary>
    public const int LabelSize = 256 * 1024;

    /// <summary>The number of labels: two at the start of the vdev, two at the end.</summary>
    public const int LabelCount = 4;

    /// <summary>
    /// The start of the allocatable area (VDEV_LABEL_START_SIZE): two labels and the 3.5 MiB boot reserve.
    /// Every DVA offset counts from here.
    /// </summary>
    public const long AllocatableStart = (2 * LabelSize) + (7L << 19);

    /// <summary>The bytes at the end of the vdev taken by labels 2 and 3 (VDEV_LABEL_END_SIZE).</summary>
    public const long LabelEndSize = 2 * LabelSize;

    /// <summary>The smallest vdev ZFS accepts (SPA_MINDEVSIZE).</summary>
    public const long MinimumSize = 64L << 20;

    /// <summary>The number of metaslabs OSv's kernel aims for when it creates a vdev (vdev_metaslab_set_size).</summary>
    public const int TargetMetaslabCount = 200;

    /// <summary>The smallest metaslab shift: 2^18 keeps the allocatable area, a multiple of 256 KiB, a whole number of metaslabs.</summary>
    public const int MinimumMetaslabShift = 18;

    /// <summary>Gets the size of the partition in bytes, as the stream receives it.</summary>
    public required long PartitionSize { get; init; }

    /// <summary>Gets the partition size rounded down to a whole label (the vdev's usable size for label placement).</summary>
    public long LabelAlignedSize => PartitionSize / LabelSize * LabelSize;

    /// <summary>Gets the allocatable size recorded as the vdev's <c>asize</c>.</summary>
    public long AllocatableSize => LabelAlignedSize - AllocatableStart - LabelEndSize;

    /// <summary>Gets the metaslab size as a shift.</summary>
    public required int MetaslabShift { get; init; }

    /// <summary>Gets the sector size as a shift.</summary>
    public required int Ashift { get; init; }

    /// <summary>Gets the number of whole metaslabs; the space past the last one is not used.</summary>
    public long MetaslabCount => AllocatableSize >> MetaslabShift;

    /// <summary>Gets the bytes that blocks may occupy: the whole metaslabs.</summary>
    public long UsableSize => MetaslabCount << MetaslabShift;

    /// <summary>Gets the byte offset of label <paramref name="index"/> in the partition.</summary>
    public long LabelOffset(int index)
    {
        Debug.Assert(index is >= 0 and < LabelCount, "There are four labels.");
        return index < 2 ? (long)index * LabelSize : LabelAlignedSize - ((LabelCount - index) * (long)LabelSize);
    }

    /// <summary>Creates the geometry of a partition of a fixed size, with the metaslab shift the OSv kernel would pick.</summary>
    public static PoolGeometry ForPartition(long partitionSize, int ashift)
    {
        long allocatable = (partitionSize / LabelSize * LabelSize) - AllocatableStart - LabelEndSize;
        return new PoolGeometry
        {
            PartitionSize = partitionSize,
            Ashift = ashift,
            MetaslabShift = MetaslabShiftFor(Math.Max(allocatable, 1)),
        };
    }

    /// <summary>
    /// Creates the geometry of the smallest pool of at least <see cref="MinimumSize"/> whose whole metaslabs
    /// hold <paramref name="allocatableBytes"/>; the allocatable area is then a whole number of metaslabs.
    /// </summary>
    public static PoolGeometry ForContent(long allocatableBytes, int ashift)
    {
        long minimumAllocatable = MinimumSize - AllocatableStart - LabelEndSize;
        long target = Math.Max(allocatableBytes, minimumAllocatable);
        int shift = MetaslabShiftFor(target);
        long metaslabSize = 1L << shift;
        long allocatable = (target + metaslabSize - 1) / metaslabSize * metaslabSize;
        var geometry = new PoolGeometry
        {
            PartitionSize = allocatable + AllocatableStart + LabelEndSize,
            Ashift = ashift,
            MetaslabShift = shift,
        };
        Debug.Assert(geometry.PartitionSize % LabelSize == 0 && geometry.UsableSize == allocatable, "The chosen size wastes no space.");
        return geometry;
    }

    // highbit(asize / 200) as in OSv's vdev_metaslab_set_size, and at least MinimumMetaslabShift.
    private static int MetaslabShiftFor(long allocatable)
    {
        long perMetaslab = Math.Max(allocatable / TargetMetaslabCount, 1);
        int highBit = 64 - BitOperations.LeadingZeroCount((ulong)perMetaslab);
        return Math.Max(highBit, MinimumMetaslabShift);
    }
}
