using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Assemble;

/// <summary>What a disk is made of: the kernel (or none), the command line, the filesystem and its tree, and the size.</summary>
public sealed record DiskLayout
{
    /// <summary>The default virtual size, 512 MiB, as OSv's scripts/build uses.</summary>
    public const long DefaultVirtualSize = 512L << 20;

    /// <summary>
    /// Gets the kernel. A bundle with a boot image gives OSv's usr.img layout (boot image padded to 2 MiB,
    /// then the filesystem); null or a bundle without one, such as <see cref="KernelBundle.Generic"/>,
    /// gives the kernel-less layout (a bare MBR and the filesystem from byte 512).
    /// </summary>
    public KernelBundle? Kernel { get; init; }

    /// <summary>
    /// Gets the command line written at byte 512 of the boot image, for example <c>/hello.so</c>; the
    /// assembler puts <c>--rootfs=FS</c> in front unless it starts with <c>--rootfs=</c> already.
    /// </summary>
    public string CommandLine { get; init; } = string.Empty;

    /// <summary>Gets the writer of partition 2's filesystem.</summary>
    public required IFileSystemWriter FileSystem { get; init; }

    /// <summary>Gets the guest tree to write.</summary>
    public required ImagePlan Plan { get; init; }

    /// <summary>
    /// Gets the size of the disk in bytes, rounded down to 512 as OSv's scripts/build does. A ramfs disk
    /// ignores it and ends where its partition starts, as OSv's are.
    /// </summary>
    public long VirtualSize { get; init; } = DefaultVirtualSize;

    /// <summary>Gets the time written where a format stores one, in seconds since the Unix epoch (SOURCE_DATE_EPOCH).</summary>
    public long Timestamp { get; init; }
}
