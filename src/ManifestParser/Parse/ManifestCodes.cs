namespace Osv.Manifests.Parse;

/// <summary>
/// Diagnostic codes of manifest reading (OSV0001-OSV0029) and expansion (OSV0030-OSV0049).
/// docs/manifests.md explains each code and its fix.
/// </summary>
public static class ManifestCodes
{
    /// <summary>Error: a line has no <c>": "</c> separator; OSv's read_manifest fails with IndexError.</summary>
    public const string MissingSeparator = "OSV0001";

    /// <summary>Warning: a second <c>": "</c> on a line; OSv keeps only the text before it as the host path.</summary>
    public const string ExtraSeparator = "OSV0002";

    /// <summary>Error: <c>%(name)s</c> names no definition; OSv fails with KeyError.</summary>
    public const string UndefinedDefinition = "OSV0003";

    /// <summary>Error: <c>%(</c> without the closing parenthesis; Python reports "incomplete format key".</summary>
    public const string UnterminatedFormatKey = "OSV0004";

    /// <summary>Error: a <c>%</c> that Python's formatting rejects or that would not insert a definition.</summary>
    public const string InvalidFormat = "OSV0005";

    /// <summary>Error: <c>${NAME}</c> names no module variable; OSv's module.py raises "Undefined variable".</summary>
    public const string UndefinedVariable = "OSV0006";

    /// <summary>Warning: module.py's greedy <c>${...}</c> match differs from the obvious reading of the line.</summary>
    public const string GreedyVariable = "OSV0007";

    /// <summary>Error: the guest path is invalid (NUL, empty component, <c>..</c> above the root, empty).</summary>
    public const string InvalidGuestPath = "OSV0008";

    /// <summary>Warning: the guest path is relative; bootfs puts it under <c>/</c>, while gen-rofs-img.py drops it.</summary>
    public const string RelativeGuestPath = "OSV0009";

    /// <summary>Warning, or error for bootfs: the guest path is longer than the 110 bytes of a bootfs record name.</summary>
    public const string NameTooLong = "OSV0010";

    /// <summary>Warning: a guest path is listed again; the later entry replaces the earlier one in the tree.</summary>
    public const string DuplicateGuestPath = "OSV0011";

    /// <summary>Warning: an entry ending in <c>-stripped.so</c>, which OSv's image scripts skip.</summary>
    public const string StrippedEntry = "OSV0012";

    /// <summary>Error: bytes that are not valid UTF-8; OSv's scripts fail with UnicodeDecodeError.</summary>
    public const string InvalidUtf8 = "OSV0013";

    /// <summary>Warning: the file starts with a UTF-8 byte order mark, which OSv reads as part of the first line.</summary>
    public const string ByteOrderMark = "OSV0014";

    /// <summary>Error: the file contains NUL bytes, so it is binary data rather than a manifest.</summary>
    public const string BinaryContent = "OSV0015";

    /// <summary>Error: the host value is empty, or a <c>-&gt;</c> link has no target.</summary>
    public const string EmptyHostPath = "OSV0016";

    /// <summary>Warning: <c>/**</c> or <c>/&amp;</c> on only one side, so OSv takes the path literally.</summary>
    public const string OneSidedShorthand = "OSV0017";

    /// <summary>Error: <c>-&gt;</c> or <c>!</c> combined with a <c>/**</c> tree, which OSv cannot walk.</summary>
    public const string MarkerOnTree = "OSV0018";

    /// <summary>Error: the manifest file cannot be read.</summary>
    public const string UnreadableFile = "OSV0019";

    /// <summary>Information: further diagnostics of the file were left out.</summary>
    public const string TooManyDiagnostics = "OSV0020";

    /// <summary>Error: a module variable or definition value contains a line break, which would split the line.</summary>
    public const string LineBreakInValue = "OSV0021";

    /// <summary>Error: a host file or directory named by an entry does not exist.</summary>
    public const string HostPathNotFound = "OSV0030";

    /// <summary>Error: resolving a host symbolic link runs in a loop.</summary>
    public const string SymlinkLoop = "OSV0031";

    /// <summary>Error: a directory symbolic link inside a <c>/**</c> tree leads back into the tree being walked.</summary>
    public const string TreeLoop = "OSV0032";

    /// <summary>Error: the root of a <c>/**</c> tree is missing or is not a directory.</summary>
    public const string TreeRootNotDirectory = "OSV0033";

    /// <summary>Warning: a directory symbolic link inside a <c>/**</c> tree was not followed, as OSv's os.walk does.</summary>
    public const string TreeDirectorySymlinkSkipped = "OSV0034";

    /// <summary>Error: an entry needs a directory where the guest tree has a file or link, or the reverse.</summary>
    public const string GuestPathConflict = "OSV0035";

    /// <summary>Information: an empty host directory inside a <c>/**</c> tree is not copied, as in OSv.</summary>
    public const string TreeEmptyDirectory = "OSV0036";

    /// <summary>Warning: a host symbolic link whose absolute target exists nowhere becomes a guest symbolic link.</summary>
    public const string DanglingSymlinkKept = "OSV0037";

    /// <summary>Error: a host path cannot be read (permissions or I/O).</summary>
    public const string HostPathUnreadable = "OSV0038";
}
