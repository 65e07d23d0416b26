using System.Buffers.Binary;
using System.Text;
using Osv.ImageBuilder.Assemble;

namespace Osv.ImageBuilder.FileSystems.Bootfs;

/// <summary>
/// Reads a bootfs blob back. The tree is rebuilt the way unpack_bootfs in OSv's fs/vfs/main.cc unpacks
/// it into ramfs: parent directories are created as needed and a later file record at the same path
/// replaces the earlier content. The blob is untrusted: every record is bounds-checked and a malformed
/// blob raises <see cref="InvalidImageException"/>.
/// </summary>
public sealed class BootfsReader : IFileSystemReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _blob;
    private readonly bool _leaveOpen;
    private readonly List<BootfsRecord> _records;
    private readonly Dictionary<string, TreeNode> _nodes = new(StringComparer.Ordinal);
    private readonly TreeNode _root = new("/", FileSystemEntryKind.Directory);
    private bool _disposed;

    /// <summary>Reads the record table of the blob in <paramref name="blob"/>.</summary>
    /// <param name="blob">A readable, seekable stream whose position 0 is the blob's first byte.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="blob"/> open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="blob"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="blob"/> cannot read or seek.</exception>
    /// <exception cref="InvalidImageException">A record is malformed or points outside the blob.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public BootfsReader(Stream blob, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (!blob.CanRead || !blob.CanSeek)
        {
            throw new ArgumentException("The blob stream must be readable and seekable.", nameof(blob));
        }

        _blob = blob;
        _leaveOpen = leaveOpen;
        _records = ReadRecords(blob);
        BuildTree();
    }

    /// <inheritdoc/>
    public FileSystemKind Kind => FileSystemKind.Ramfs;

    /// <summary>Gets every record of the table in order, duplicates included.</summary>
    public IReadOnlyList<BootfsRecord> Records => _records;

    /// <inheritdoc/>
    public IReadOnlyList<FileSystemEntry> ReadTree()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new List<FileSystemEntry>();
        var stack = new Stack<(TreeNode Node, int NextChild)>();
        stack.Push((_root, 0));
        while (stack.Count > 0)
        {
            (TreeNode directory, int next) = stack.Pop();
            if (next >= directory.Children.Count)
            {
                continue;
            }

            stack.Push((directory, next + 1));
            TreeNode child = directory.Children[next];
            long size = child.Record?.Kind == FileSystemEntryKind.File ? child.Record.Size : 0;
            if (child.Kind == FileSystemEntryKind.Symlink)
            {
                size = StrictUtf8.GetByteCount(child.LinkTarget!);
            }

            result.Add(new FileSystemEntry(child.Path, child.Kind, size, child.LinkTarget));
            if (child.Kind == FileSystemEntryKind.Directory)
            {
                stack.Push((child, 0));
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public Stream OpenFile(string guestPath)
    {
        ArgumentNullException.ThrowIfNull(guestPath);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_nodes.TryGetValue(Normalize(guestPath), out TreeNode? node) || node.Kind != FileSystemEntryKind.File)
        {
            throw new FileNotFoundException($"'{guestPath}' is not a regular file in the bootfs blob.", guestPath);
        }

        return new WindowStream(_blob, node.Record!.Offset, node.Record.Size, writable: false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed && !_leaveOpen)
        {
            _blob.Dispose();
        }

        _disposed = true;
    }

    // Reads records up to the first one whose name starts with NUL, as unpack_bootfs does.
    private static List<BootfsRecord> ReadRecords(Stream blob)
    {
        long length = blob.Length;
        var records = new List<BootfsRecord>();
        Span<byte> record = stackalloc byte[BootfsLayout.RecordFields.Length];
        blob.Position = 0;
        for (int index = 0; ; index++)
        {
            long recordOffset = (long)index * BootfsLayout.RecordFields.Length;
            if (length - recordOffset < BootfsLayout.RecordFields.Length)
            {
                throw new InvalidImageException($"bootfs record {index} at offset {recordOffset} is cut off by the end of the {length}-byte blob; the table has no terminating all-zero record.");
            }

            blob.ReadExactly(record);
            ReadOnlySpan<byte> nameField = record.Slice(BootfsLayout.RecordFields.Name, BootfsLayout.RecordFields.NameLength);
            if (nameField[0] == 0)
            {
                return records;
            }

            int nameLength = nameField.IndexOf((byte)0);
            if (nameLength < 0)
            {
                throw new InvalidImageException($"The name of bootfs record {index} at offset {recordOffset} fills all {BootfsLayout.RecordFields.NameLength} bytes without a terminating NUL.");
            }

            string name;
            try
            {
                name = StrictUtf8.GetString(nameField[..nameLength]);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidImageException($"The name of bootfs record {index} at offset {recordOffset} is not valid UTF-8.");
            }

            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(record[BootfsLayout.RecordFields.Size..]);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(record[BootfsLayout.RecordFields.Offset..]);
            byte type = record[BootfsLayout.RecordFields.Type];
            if (offset > (ulong)length || size > (ulong)length - offset)
            {
                throw new InvalidImageException($"bootfs record {index} ('{name}') claims {size} bytes at offset {offset}, outside the {length}-byte blob.");
            }

            FileSystemEntryKind kind = type switch
            {
                BootfsLayout.TypeSymlink => FileSystemEntryKind.Symlink,
                BootfsLayout.TypeOther when name.EndsWith('/') && size == 0 => FileSystemEntryKind.Directory,
                BootfsLayout.TypeOther when name.EndsWith('/') => throw new InvalidImageException($"bootfs record {index} ('{name}') is a directory name with {size} bytes of data; OSv would stop at boot."),
                BootfsLayout.TypeOther => FileSystemEntryKind.File,
                _ => throw new InvalidImageException($"bootfs record {index} ('{name}') has type {type}; only 0 (file or directory) and 1 (symbolic link) exist."),
            };

            if (!name.StartsWith('/'))
            {
                throw new InvalidImageException($"bootfs record {index} has the relative name '{name}'; names must be absolute guest paths.");
            }

            records.Add(new BootfsRecord(name, kind, (long)offset, (long)size));
        }
    }

    // Replays the records the way unpack_bootfs does.
    private void BuildTree()
    {
        foreach (BootfsRecord record in _records)
        {
            string path = Normalize(record.Name);
            if (path == "/")
            {
                continue;
            }

            TreeNode parent = EnsureParents(path, record);
            string? target = record.Kind == FileSystemEntryKind.Symlink ? ReadLinkTarget(record) : null;
            if (_nodes.TryGetValue(path, out TreeNode? existing))
            {
                // mkdir over anything fails quietly; creat over a file truncates it; symlink over anything fails and OSv panics.
                switch (record.Kind)
                {
                    case FileSystemEntryKind.Directory:
                        continue;
                    case FileSystemEntryKind.File when existing.Kind == FileSystemEntryKind.File:
                        existing.Record = record;
                        continue;
                    default:
                        throw new InvalidImageException($"bootfs record '{record.Name}' creates a {record.Kind.ToString().ToLowerInvariant()} where a {existing.Kind.ToString().ToLowerInvariant()} already exists; OSv would stop at boot.");
                }
            }

            var node = new TreeNode(path, record.Kind) { Record = record, LinkTarget = target };
            parent.Children.Add(node);
            _nodes.Add(path, node);
        }
    }

    // Creates the implied directories of a path and returns its parent.
    private TreeNode EnsureParents(string path, BootfsRecord record)
    {
        TreeNode current = _root;
        int slash = 0;
        while ((slash = path.IndexOf('/', slash + 1)) > 0)
        {
            string prefix = path[..slash];
            if (!_nodes.TryGetValue(prefix, out TreeNode? next))
            {
                next = new TreeNode(prefix, FileSystemEntryKind.Directory);
                current.Children.Add(next);
                _nodes.Add(prefix, next);
            }
            else if (next.Kind != FileSystemEntryKind.Directory)
            {
                throw new InvalidImageException($"bootfs record '{record.Name}' lies under '{prefix}', which is a {next.Kind.ToString().ToLowerInvariant()}; OSv would stop at boot.");
            }

            current = next;
        }

        return current;
    }

    // Reads a link target: the data without its terminating NUL.
    private string ReadLinkTarget(BootfsRecord record)
    {
        if (record.Size == 0)
        {
            throw new InvalidImageException($"The bootfs symbolic link '{record.Name}' has no data; its target must end with a NUL.");
        }

        byte[] data = new byte[record.Size];
        _blob.Position = record.Offset;
        _blob.ReadExactly(data);
        if (data[^1] != 0)
        {
            throw new InvalidImageException($"The target of the bootfs symbolic link '{record.Name}' does not end with a NUL.");
        }

        try
        {
            return StrictUtf8.GetString(data, 0, data.Length - 1);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidImageException($"The target of the bootfs symbolic link '{record.Name}' is not valid UTF-8.");
        }
    }

    // Collapses repeated slashes and removes a trailing one, as the VFS does when it resolves a path.
    private static string Normalize(string path)
    {
        string joined = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        return joined;
    }

    private sealed class TreeNode(string path, FileSystemEntryKind kind)
    {
        public string Path { get; } = path;

        public FileSystemEntryKind Kind { get; } = kind;

        public List<TreeNode> Children { get; } = [];

        public BootfsRecord? Record { get; set; }

        public string? LinkTarget { get; init; }
    }
}
