using Osv.ImageBuilder.FileSystems;

namespace Osv.ImageBuilder.Kernel;

/// <summary>The kind of a <see cref="KernelBaseFile"/>.</summary>
public enum KernelBaseFileKind
{
    /// <summary>A regular file copied from the bundle folder.</summary>
    File,

    /// <summary>A regular file whose text is written in the description itself.</summary>
    Content,

    /// <summary>A symbolic link.</summary>
    Symlink,

    /// <summary>An empty directory.</summary>
    Directory,
}

/// <summary>
/// A file that must go into every image made with a kernel, such as /libenviron.so or /etc/fstab,
/// with the filesystems it applies to.
/// </summary>
/// <param name="GuestPath">The absolute guest path.</param>
/// <param name="Kind">Where the content comes from.</param>
/// <param name="Source">The host file (absolute) for <see cref="KernelBaseFileKind.File"/>, the text for
/// <see cref="KernelBaseFileKind.Content"/>, the target for <see cref="KernelBaseFileKind.Symlink"/>; null for a directory.</param>
/// <param name="FileSystems">The filesystems the entry applies to; empty for all.</param>
public sealed record KernelBaseFile(string GuestPath, KernelBaseFileKind Kind, string? Source, IReadOnlyList<FileSystemKind> FileSystems)
{
    /// <summary>Returns whether the entry goes into an image of <paramref name="fileSystem"/>.</summary>
    public bool AppliesTo(FileSystemKind fileSystem) => FileSystems.Count == 0 || FileSystems.Contains(fileSystem);
}
