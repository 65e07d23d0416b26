namespace Osv.ImageBuilder.Containers;

/// <summary>The file formats a disk image can be written in.</summary>
public enum ContainerFormat
{
    /// <summary>The disk's bytes as they are; zero ranges are holes in the file where the filesystem allows.</summary>
    Raw,

    /// <summary>QEMU's qcow2, version 3, with optional zlib (deflate) compression of clusters.</summary>
    Qcow2,

    /// <summary>VMware's stream-optimized VMDK: deflate-compressed grains and a footer.</summary>
    Vmdk,
}
