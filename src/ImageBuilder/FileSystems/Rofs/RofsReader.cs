using System.Buffers.Binary;
using System.Text;
using Osv.ImageBuilder.Assemble;

namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>
/// Reads a ROFS image back: its tree, file contents and link targets. The image is untrusted, so every
/// count, offset and index is checked, directory loops are detected, and a malformed image raises
/// <see cref="InvalidImageException"/>.
/// </summary>
/// <remarks>
/// Beyond what OSv checks at mount time, the reader requires the layout gen-rofs-img.py writes: a block
/// size of 512, file data between block 1 and the structure area, and names that are valid UTF-8 without
/// '/' or NUL. The structure area is read into memory whole, so it is limited to
/// <see cref="MaxStructureBytes"/>.
/// </remarks>
public sealed class RofsReader : IFileSystemReader
{
    /// <summary>The largest structure area the reader loads, in bytes: 256 MiB, several million inodes.</summary>
    public const long MaxStructureBytes = 256L << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _image;
    private readonly bool _leaveOpen;
    private readonly Inode[] _inodes;
    private readonly DirectoryEntry[] _entries;
    private readonly string[] _symlinks;
    private bool _disposed;

    /// <summary>Reads the superblock and the structure area of the ROFS image in <paramref name="image"/>.</summary>
    /// <param name="image">A readable, seekable stream whose position 0 is the image's first byte.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="image"/> open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> cannot read or seek.</exception>
    /// <exception cref="InvalidImageException">The superblock or a table is malformed.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public RofsReader(Stream image, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!image.CanRead || !image.CanSeek)
        {
            throw new ArgumentException("The image stream must be readable and seekable.", nameof(image));
        }

        _image = image;
        _leaveOpen = leaveOpen;
        Superblock = ReadSuperblock(image);
        byte[] structure = ReadStructure(image, Superblock);
        int offset = 0;
        _entries = ParseEntries(structure, ref offset, Superblock.DirectoryEntryCount);
        _symlinks = ParseSymlinks(structure, ref offset, Superblock.SymlinkCount);
        _inodes = ParseInodes(structure, offset, Superblock);
    }

    /// <inheritdoc/>
    public FileSystemKind Kind => FileSystemKind.Rofs;

    /// <summary>Gets the superblock as read.</summary>
    public RofsSuperblock Superblock { get; }

    /// <summary>Returns whether <paramref name="image"/> starts with the ROFS magic number; the position is restored.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static bool IsRofs(Stream image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Span<byte> magic = stackalloc byte[sizeof(ulong)];
        long position = image.Position;
        image.Position = RofsLayout.SuperblockFields.Magic;
        int read = image.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        image.Position = position;
        return read == magic.Length && BinaryPrimitives.ReadUInt64LittleEndian(magic) == RofsLayout.Magic;
    }

    /// <inheritdoc/>
    public IReadOnlyList<FileSystemEntry> ReadTree()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new List<FileSystemEntry>();
        var visited = new HashSet<ulong> { RofsLayout.RootInodeNumber };
        Inode root = InodeAt(RofsLayout.RootInodeNumber, "the root directory");
        if (root.Kind != FileSystemEntryKind.Directory)
        {
            throw new InvalidImageException($"ROFS inode {RofsLayout.RootInodeNumber} (the root) has mode 0x{root.Mode:X} but must be a directory.");
        }

        // Depth-first with an explicit stack, so a deep or looping image cannot overflow the call stack.
        var stack = new Stack<(ulong InodeNumber, string Path, int NextChild)>();
        stack.Push((RofsLayout.RootInodeNumber, string.Empty, 0));
        while (stack.Count > 0)
        {
            (ulong directoryNumber, string path, int nextChild) = stack.Pop();
            Inode directory = _inodes[directoryNumber - 1];
            if (nextChild >= (int)directory.Count)
            {
                continue;
            }

            stack.Push((directoryNumber, path, nextChild + 1));
            DirectoryEntry entry = _entries[(int)directory.DataOffset + nextChild];
            string childPath = path + "/" + entry.Name;
            Inode child = InodeAt(entry.InodeNumber, $"the entry '{childPath}'");
            switch (child.Kind)
            {
                case FileSystemEntryKind.Directory:
                    if (!visited.Add(entry.InodeNumber))
                    {
                        throw new InvalidImageException($"The ROFS directory '{childPath}' (inode {entry.InodeNumber}) is reached a second time: the directory table has a loop or a shared directory.");
                    }

                    result.Add(new FileSystemEntry(childPath, FileSystemEntryKind.Directory, 0));
                    stack.Push((entry.InodeNumber, childPath, 0));
                    break;
                case FileSystemEntryKind.Symlink:
                    string target = _symlinks[(int)child.DataOffset];
                    result.Add(new FileSystemEntry(childPath, FileSystemEntryKind.Symlink, StrictUtf8.GetByteCount(target), target));
                    break;
                default:
                    result.Add(new FileSystemEntry(childPath, FileSystemEntryKind.File, (long)child.Count));
                    break;
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public Stream OpenFile(string guestPath)
    {
        ArgumentNullException.ThrowIfNull(guestPath);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Inode inode = Resolve(guestPath);
        if (inode.Kind != FileSystemEntryKind.File)
        {
            throw new FileNotFoundException($"'{guestPath}' is not a regular file in the ROFS image.", guestPath);
        }

        return new WindowStream(_image, (long)inode.DataOffset * RofsLayout.BlockSize, (long)inode.Count, writable: false);
    }

    /// <summary>Returns the target of the symbolic link at <paramref name="guestPath"/>.</summary>
    /// <exception cref="FileNotFoundException">No symbolic link has that path.</exception>
    /// <exception cref="InvalidImageException">The structures are malformed.</exception>
    public string ReadSymlink(string guestPath)
    {
        ArgumentNullException.ThrowIfNull(guestPath);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Inode inode = Resolve(guestPath);
        if (inode.Kind != FileSystemEntryKind.Symlink)
        {
            throw new FileNotFoundException($"'{guestPath}' is not a symbolic link in the ROFS image.", guestPath);
        }

        return _symlinks[(int)inode.DataOffset];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed && !_leaveOpen)
        {
            _image.Dispose();
        }

        _disposed = true;
    }

    // Walks a guest path from the root without following symbolic links.
    private Inode Resolve(string guestPath)
    {
        Inode current = InodeAt(RofsLayout.RootInodeNumber, "the root directory");
        int depth = 0;
        foreach (string component in guestPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.Kind != FileSystemEntryKind.Directory || ++depth > _inodes.Length)
            {
                throw new FileNotFoundException($"'{guestPath}' does not exist in the ROFS image.", guestPath);
            }

            Inode? next = null;
            for (ulong i = 0; i < current.Count; i++)
            {
                DirectoryEntry entry = _entries[(int)current.DataOffset + (int)i];
                if (string.Equals(entry.Name, component, StringComparison.Ordinal))
                {
                    next = InodeAt(entry.InodeNumber, $"the entry '{component}' of '{guestPath}'");
                    break;
                }
            }

            current = next ?? throw new FileNotFoundException($"'{guestPath}' does not exist in the ROFS image.", guestPath);
        }

        return current;
    }

    private Inode InodeAt(ulong number, string what)
    {
        if (number == 0 || number > (ulong)_inodes.Length)
        {
            throw new InvalidImageException($"ROFS: {what} refers to inode {number}, but the image has inodes 1 to {_inodes.Length}.");
        }

        return _inodes[number - 1];
    }

    // Reads and checks the superblock at block 0.
    private static RofsSuperblock ReadSuperblock(Stream image)
    {
        long length = image.Length;
        if (length < RofsLayout.BlockSize)
        {
            throw new InvalidImageException($"The ROFS image is {length} bytes long, shorter than its {RofsLayout.BlockSize}-byte superblock.");
        }

        Span<byte> block = stackalloc byte[RofsLayout.SuperblockFields.Length];
        image.Position = RofsLayout.SuperblockBlock * RofsLayout.BlockSize;
        image.ReadExactly(block);
        var superblock = RofsSuperblock.Read(block);

        if (superblock.Magic != RofsLayout.Magic)
        {
            throw new InvalidImageException($"The ROFS superblock has magic 0x{superblock.Magic:X16} but must have 0x{RofsLayout.Magic:X16}; this is not a ROFS image.");
        }

        if (superblock.Version != RofsLayout.Version)
        {
            throw new InvalidImageException($"The ROFS superblock has version {superblock.Version}; only version {RofsLayout.Version} is known.");
        }

        if (superblock.BlockSize != RofsLayout.BlockSize)
        {
            throw new InvalidImageException($"The ROFS superblock has block size {superblock.BlockSize}; OSv reads {RofsLayout.BlockSize}-byte blocks only.");
        }

        ulong blocksInImage = (ulong)(length / RofsLayout.BlockSize);
        if (superblock.StructureBlockCount == 0
            || superblock.StructureFirstBlock < RofsLayout.FirstDataBlock
            || superblock.StructureFirstBlock > blocksInImage
            || superblock.StructureBlockCount > blocksInImage - superblock.StructureFirstBlock)
        {
            throw new InvalidImageException(
                $"The ROFS structure area (first block {superblock.StructureFirstBlock}, {superblock.StructureBlockCount} blocks) does not lie inside the image of {blocksInImage} blocks.");
        }

        if (superblock.StructureBlockCount * RofsLayout.BlockSize > MaxStructureBytes)
        {
            throw new InvalidImageException(
                $"The ROFS structure area is {superblock.StructureBlockCount} blocks, more than the {MaxStructureBytes / RofsLayout.BlockSize} blocks this reader loads.");
        }

        return superblock;
    }

    // Reads the whole structure area.
    private static byte[] ReadStructure(Stream image, RofsSuperblock superblock)
    {
        byte[] structure = new byte[superblock.StructureBlockCount * RofsLayout.BlockSize];
        image.Position = (long)superblock.StructureFirstBlock * RofsLayout.BlockSize;
        image.ReadExactly(structure);
        return structure;
    }

    // Parses the directory entry table.
    private static DirectoryEntry[] ParseEntries(byte[] structure, ref int offset, ulong count)
    {
        if (count > (ulong)(structure.Length / RofsLayout.DirectoryEntryFields.Name))
        {
            throw new InvalidImageException($"The ROFS superblock declares {count} directory entries, more than its {structure.Length}-byte structure area can hold.");
        }

        var entries = new DirectoryEntry[count];
        for (int i = 0; i < entries.Length; i++)
        {
            if (structure.Length - offset < RofsLayout.DirectoryEntryFields.Name)
            {
                throw new InvalidImageException($"ROFS directory entry {i} at structure offset {offset} is cut off by the end of the structure area.");
            }

            ReadOnlySpan<byte> record = structure.AsSpan(offset);
            ulong inodeNumber = BinaryPrimitives.ReadUInt64LittleEndian(record[RofsLayout.DirectoryEntryFields.InodeNumber..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[RofsLayout.DirectoryEntryFields.NameLength..]);
            if (record.Length - RofsLayout.DirectoryEntryFields.Name < nameLength)
            {
                throw new InvalidImageException($"The name of ROFS directory entry {i} ({nameLength} bytes at structure offset {offset}) runs past the end of the structure area.");
            }

            string name = DecodeName(record.Slice(RofsLayout.DirectoryEntryFields.Name, nameLength), $"directory entry {i}");
            if (name.Length == 0 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            {
                throw new InvalidImageException($"ROFS directory entry {i} has the invalid name '{name.Replace("\0", "\\0", StringComparison.Ordinal)}'.");
            }

            entries[i] = new DirectoryEntry(name, inodeNumber);
            offset += RofsLayout.DirectoryEntryFields.Name + nameLength;
        }

        return entries;
    }

    // Parses the symbolic link table.
    private static string[] ParseSymlinks(byte[] structure, ref int offset, ulong count)
    {
        if (count > (ulong)(structure.Length / RofsLayout.SymlinkFields.Target))
        {
            throw new InvalidImageException($"The ROFS superblock declares {count} symbolic links, more than its {structure.Length}-byte structure area can hold.");
        }

        var targets = new string[count];
        for (int i = 0; i < targets.Length; i++)
        {
            if (structure.Length - offset < RofsLayout.SymlinkFields.Target)
            {
                throw new InvalidImageException($"ROFS symbolic link {i} at structure offset {offset} is cut off by the end of the structure area.");
            }

            ReadOnlySpan<byte> record = structure.AsSpan(offset);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(record[RofsLayout.SymlinkFields.TargetLength..]);
            if (record.Length - RofsLayout.SymlinkFields.Target < length)
            {
                throw new InvalidImageException($"The target of ROFS symbolic link {i} ({length} bytes at structure offset {offset}) runs past the end of the structure area.");
            }

            targets[i] = DecodeName(record.Slice(RofsLayout.SymlinkFields.Target, length), $"symbolic link {i}");
            offset += RofsLayout.SymlinkFields.Target + length;
        }

        return targets;
    }

    // Parses and checks the inode table.
    private Inode[] ParseInodes(byte[] structure, int offset, RofsSuperblock superblock)
    {
        ulong count = superblock.InodeCount;
        ulong available = (ulong)(structure.Length - offset) / RofsLayout.InodeFields.Length;
        if (count == 0 || count > available)
        {
            throw new InvalidImageException(
                $"The ROFS superblock declares {count} inodes, but the structure area has room for {available} after the directory entries and links (at least 1 is needed).");
        }

        ulong dataEnd = superblock.StructureFirstBlock;
        var inodes = new Inode[count];
        for (ulong i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> record = structure.AsSpan(offset + (int)(i * RofsLayout.InodeFields.Length), RofsLayout.InodeFields.Length);

            // OSv's rofs_inode keeps the mode in a 32-bit mode_t; the upper half is padding.
            ulong mode = BinaryPrimitives.ReadUInt32LittleEndian(record[RofsLayout.InodeFields.Mode..]);
            ulong dataOffset = BinaryPrimitives.ReadUInt64LittleEndian(record[RofsLayout.InodeFields.DataOffset..]);
            ulong countField = BinaryPrimitives.ReadUInt64LittleEndian(record[RofsLayout.InodeFields.Count..]);
            ulong number = i + 1;
            FileSystemEntryKind kind = (mode & RofsLayout.Modes.TypeMask) switch
            {
                RofsLayout.Modes.Directory => FileSystemEntryKind.Directory,
                RofsLayout.Modes.File => FileSystemEntryKind.File,
                RofsLayout.Modes.Symlink => FileSystemEntryKind.Symlink,
                _ => throw new InvalidImageException($"ROFS inode {number} has mode 0x{mode:X}, which is not a directory, file or symbolic link."),
            };

            switch (kind)
            {
                case FileSystemEntryKind.Directory:
                    if (dataOffset > (ulong)_entries.Length || countField > (ulong)_entries.Length - dataOffset)
                    {
                        throw new InvalidImageException($"ROFS directory inode {number} lists entries {dataOffset} to {dataOffset + countField}, but the table has {_entries.Length}.");
                    }

                    break;
                case FileSystemEntryKind.Symlink:
                    if (dataOffset >= (ulong)_symlinks.Length)
                    {
                        throw new InvalidImageException($"ROFS symbolic link inode {number} refers to link {dataOffset}, but the table has {_symlinks.Length}.");
                    }

                    break;
                default:
                    ulong blocks = (countField / RofsLayout.BlockSize) + (countField % RofsLayout.BlockSize == 0 ? 0UL : 1UL);
                    bool inside = dataOffset >= RofsLayout.FirstDataBlock && dataOffset <= dataEnd && blocks <= dataEnd - dataOffset;
                    if (!inside)
                    {
                        throw new InvalidImageException(
                            $"ROFS file inode {number} claims {countField} bytes from block {dataOffset}, outside the data area of blocks {RofsLayout.FirstDataBlock} to {dataEnd}.");
                    }

                    break;
            }

            inodes[i] = new Inode(kind, mode, dataOffset, countField);
        }

        return inodes;
    }

    private static string DecodeName(ReadOnlySpan<byte> bytes, string what)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidImageException($"The name of ROFS {what} is not valid UTF-8.");
        }
    }

    private readonly record struct Inode(FileSystemEntryKind Kind, ulong Mode, ulong DataOffset, ulong Count);

    private readonly record struct DirectoryEntry(string Name, ulong InodeNumber);
}
