namespace Osv.ImageBuilder.FileSystems;

/// <summary>
/// Reads a filesystem back from a partition's bytes, for <c>dotnet osv inspect</c> and round-trip tests.
/// The bytes are untrusted: every count and offset is bounds-checked and a malformed image raises
/// <see cref="InvalidImageException"/>, never another exception, a hang or unbounded memory use.
/// </summary>
public interface IFileSystemReader : IDisposable
{
    /// <summary>Gets the filesystem being read.</summary>
    FileSystemKind Kind { get; }

    /// <summary>Lists every entry depth-first, parents before children; the root directory is not listed.</summary>
    /// <exception cref="InvalidImageException">The structures are malformed.</exception>
    IReadOnlyList<FileSystemEntry> ReadTree();

    /// <summary>Opens the content of the regular file at <paramref name="guestPath"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">No regular file has that path.</exception>
    /// <exception cref="InvalidImageException">The structures are malformed.</exception>
    Stream OpenFile(string guestPath);
}

/// <summary>The kind of a <see cref="FileSystemEntry"/>.</summary>
public enum FileSystemEntryKind
{
    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A regular file.</summary>
    File,

    /// <summary>A symbolic link.</summary>
    Symlink,
}

/// <summary>One entry of a filesystem read back from an image.</summary>
/// <param name="GuestPath">The absolute guest path.</param>
/// <param name="Kind">Directory, file or symbolic link.</param>
/// <param name="Size">The file size in bytes; 0 for directories; the target length for links.</param>
/// <param name="SymlinkTarget">The link target for symbolic links, otherwise null.</param>
public sealed record FileSystemEntry(string GuestPath, FileSystemEntryKind Kind, long Size, string? SymlinkTarget = null);
