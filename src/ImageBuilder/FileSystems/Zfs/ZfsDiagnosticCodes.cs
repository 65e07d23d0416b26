namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>The stable diagnostic codes of the ZFS writer (OSV33xx).</summary>
internal static class ZfsDiagnosticCodes
{
    /// <summary>A file or directory name is longer than the 255 bytes a ZFS directory entry holds.</summary>
    public const string NameTooLong = "OSV3301";

    /// <summary>A symbolic link target is longer than the 144 bytes that fit in the znode's bonus buffer.</summary>
    public const string SymlinkTargetTooLong = "OSV3302";

    /// <summary>A name or link target is not valid Unicode and cannot be stored as UTF-8.</summary>
    public const string InvalidText = "OSV3303";

    /// <summary>A host file could not be opened or read.</summary>
    public const string HostFileUnreadable = "OSV3304";

    /// <summary>A host file's size differs from the size recorded in the plan.</summary>
    public const string HostFileChanged = "OSV3305";

    /// <summary>The fixed partition size is too small for the pool or its content.</summary>
    public const string PartitionTooSmall = "OSV3306";

    /// <summary>A writer option is out of range, such as an ashift other than 9 or 12 or an invalid pool name.</summary>
    public const string InvalidOption = "OSV3307";

    /// <summary>A directory has more entries than the fat ZAP layout of this writer can index.</summary>
    public const string DirectoryTooLarge = "OSV3308";
}
