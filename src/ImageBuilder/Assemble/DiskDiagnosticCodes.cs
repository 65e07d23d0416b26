namespace Osv.ImageBuilder.Assemble;

/// <summary>The stable diagnostic codes of disk assembly and container writing (OSV40xx).</summary>
public static class DiskDiagnosticCodes
{
    /// <summary>The requested virtual size is not positive or cannot hold the boot area.</summary>
    public const string InvalidVirtualSize = "OSV4001";

    /// <summary>The boot area and the filesystem do not fit in the virtual size.</summary>
    public const string ContentTooLarge = "OSV4002";

    /// <summary>The command line does not fit in the boot image's command line area.</summary>
    public const string CommandLineTooLong = "OSV4003";

    /// <summary>A kernel-less disk cannot carry a command line.</summary>
    public const string CommandLineIgnored = "OSV4004";

    /// <summary>The kernel cannot mount the filesystem requested.</summary>
    public const string FileSystemNotSupported = "OSV4005";

    /// <summary>The boot image could not be read.</summary>
    public const string BootImageUnreadable = "OSV4006";

    /// <summary>The partition is larger than an MBR entry can describe.</summary>
    public const string PartitionTooLarge = "OSV4007";

    /// <summary>Writing the image file failed.</summary>
    public const string WriteFailed = "OSV4008";

    /// <summary>The command line contains a NUL byte or has no UTF-8 form.</summary>
    public const string InvalidCommandLine = "OSV4009";
}
