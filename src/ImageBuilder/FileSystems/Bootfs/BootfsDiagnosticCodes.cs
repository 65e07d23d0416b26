namespace Osv.ImageBuilder.FileSystems.Bootfs;

/// <summary>The stable diagnostic codes of the bootfs writer (OSV32xx).</summary>
public static class BootfsDiagnosticCodes
{
    /// <summary>A guest path is longer than the 110 bytes a bootfs record can store.</summary>
    public const string NameTooLong = "OSV3201";

    /// <summary>A host file could not be read.</summary>
    public const string HostFileUnreadable = "OSV3202";

    /// <summary>A host file changed size while the blob was written.</summary>
    public const string HostFileChanged = "OSV3203";

    /// <summary>The blob does not fit in the size it was given.</summary>
    public const string PartitionTooSmall = "OSV3204";

    /// <summary>A name or link target is not valid UTF-16 text and has no UTF-8 form.</summary>
    public const string InvalidText = "OSV3205";

    /// <summary>A symbolic link path is listed twice, which makes OSv stop at boot.</summary>
    public const string DuplicateSymlink = "OSV3206";
}
