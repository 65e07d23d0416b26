namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>The stable diagnostic codes of the ROFS writer (OSV31xx).</summary>
public static class RofsDiagnosticCodes
{
    /// <summary>A file or directory name is longer than the 65535 bytes a ROFS directory entry can store.</summary>
    public const string NameTooLong = "OSV3101";

    /// <summary>A symbolic link target is longer than the 65535 bytes a ROFS link record can store.</summary>
    public const string SymlinkTargetTooLong = "OSV3102";

    /// <summary>A guest path is 4096 bytes or longer, so OSv cannot open it.</summary>
    public const string PathTooLong = "OSV3103";

    /// <summary>The tree has more inodes than OSv can look up.</summary>
    public const string TooManyInodes = "OSV3104";

    /// <summary>A name or link target is not valid UTF-16 text and has no UTF-8 form.</summary>
    public const string InvalidText = "OSV3105";

    /// <summary>A host file could not be read.</summary>
    public const string HostFileUnreadable = "OSV3106";

    /// <summary>The filesystem does not fit in the partition size it was given.</summary>
    public const string PartitionTooSmall = "OSV3107";

    /// <summary>A host file changed size while the image was written.</summary>
    public const string HostFileChanged = "OSV3108";
}
