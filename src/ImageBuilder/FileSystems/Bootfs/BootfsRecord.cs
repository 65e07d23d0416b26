namespace Osv.ImageBuilder.FileSystems.Bootfs;

/// <summary>One record of a bootfs table, as read.</summary>
/// <param name="Name">The name as stored: an absolute guest path, with a trailing '/' for a directory.</param>
/// <param name="Kind">A file, a directory (type 0, name ending with '/', no data) or a symbolic link (type 1).</param>
/// <param name="Offset">The offset of the data from the start of the blob.</param>
/// <param name="Size">The size of the data in bytes; for a link, the target with its NUL.</param>
public sealed record BootfsRecord(string Name, FileSystemEntryKind Kind, long Offset, long Size);
