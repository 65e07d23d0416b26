namespace Osv.ImageBuilder.Assemble;

/// <summary>A range of a disk that may hold non-zero bytes; everything outside every extent is zero.</summary>
/// <param name="Offset">The first byte.</param>
/// <param name="Length">The length in bytes.</param>
public readonly record struct DiskExtent(long Offset, long Length)
{
    /// <summary>Gets the byte after the last.</summary>
    public long End => Offset + Length;
}

/// <summary>The result of assembling a disk: its size, where the filesystem lies, and where data may be.</summary>
/// <param name="VirtualSize">The size of the disk in bytes.</param>
/// <param name="PartitionOffset">The offset of partition 2 in bytes.</param>
/// <param name="PartitionSize">The size of partition 2 in bytes.</param>
/// <param name="CommandLine">The command line as written, or null for a kernel-less disk.</param>
/// <param name="Extents">The ranges that may hold non-zero bytes, in order and not overlapping.</param>
public sealed record AssembledDisk(long VirtualSize, long PartitionOffset, long PartitionSize, string? CommandLine, IReadOnlyList<DiskExtent> Extents);
