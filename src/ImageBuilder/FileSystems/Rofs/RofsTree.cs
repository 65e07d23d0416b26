using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>
/// The inode, directory entry and symbolic link tables of a ROFS image, laid out in the order
/// gen-rofs-img.py uses, with every name checked against the bounds OSv applies.
/// </summary>
internal sealed class RofsTree
{
    private readonly List<Node> _nodes = [];
    private readonly List<(byte[] Name, int InodeNumber)> _entries = [];
    private readonly List<byte[]> _symlinks = [];

    private RofsTree()
    {
    }

    /// <summary>Gets the inodes in inode-number order; the root is first.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Gets the number of directory entries.</summary>
    public int DirectoryEntryCount => _entries.Count;

    /// <summary>Gets the number of symbolic link records.</summary>
    public int SymlinkCount => _symlinks.Count;

    /// <summary>Gets or sets whether a host file had another size when it was copied than when it was measured.</summary>
    public bool SizesChanged { get; set; }

    /// <summary>Lays out the tables for <paramref name="plan"/>, or returns null after reporting every problem found.</summary>
    public static RofsTree? Build(ImagePlan plan, Encoding encoding, DiagnosticBag diagnostics)
    {
        var tree = new RofsTree();
        int errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var root = new Node(tree, FileSystemEntryKind.Directory, "/", origin: null);
        tree._nodes.Add(root);
        tree.AddDirectory(plan.Root, root, encoding, diagnostics);

        if (tree._nodes.Count > RofsLayout.Limits.MaxInodes)
        {
            diagnostics.Error(
                RofsDiagnosticCodes.TooManyInodes,
                $"The image has {tree._nodes.Count} inodes but OSv's ROFS looks up at most {RofsLayout.Limits.MaxInodes}; split the files over several images.");
        }

        return diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error) > errors ? null : tree;
    }

    /// <summary>Returns the size of the image in bytes with the file sizes measured when the tree was built.</summary>
    public long MeasureImageSize()
    {
        long dataBlocks = 0;
        foreach (Node node in _nodes)
        {
            if (node.Kind == FileSystemEntryKind.File)
            {
                dataBlocks += RofsWriter.BlocksFor(node.Size);
            }
        }

        long structureBytes = MeasureStructure();
        long padding = RofsLayout.BlockSize - (structureBytes % RofsLayout.BlockSize);
        return ((RofsLayout.FirstDataBlock + dataBlocks) * RofsLayout.BlockSize) + structureBytes + padding;
    }

    /// <summary>Writes the directory entries, symbolic links and inodes; returns the number of bytes written.</summary>
    public long WriteStructure(SparseStreamWriter output, byte[] buffer)
    {
        int used = 0;
        long total = 0;

        // Flushes the buffer when the next record would not fit.
        void Reserve(int length)
        {
            Debug.Assert(length <= buffer.Length, "A record must fit in the buffer.");
            if (used + length > buffer.Length)
            {
                output.Write(buffer.AsSpan(0, used));
                used = 0;
            }
        }

        foreach ((byte[] name, int inodeNumber) in _entries)
        {
            Reserve(RofsLayout.DirectoryEntryFields.Name + name.Length);
            Span<byte> record = buffer.AsSpan(used);
            BinaryPrimitives.WriteUInt64LittleEndian(record[RofsLayout.DirectoryEntryFields.InodeNumber..], (ulong)inodeNumber);
            BinaryPrimitives.WriteUInt16LittleEndian(record[RofsLayout.DirectoryEntryFields.NameLength..], (ushort)name.Length);
            name.CopyTo(record[RofsLayout.DirectoryEntryFields.Name..]);
            used += RofsLayout.DirectoryEntryFields.Name + name.Length;
            total += RofsLayout.DirectoryEntryFields.Name + name.Length;
        }

        foreach (byte[] target in _symlinks)
        {
            Reserve(RofsLayout.SymlinkFields.Target + target.Length);
            Span<byte> record = buffer.AsSpan(used);
            BinaryPrimitives.WriteUInt16LittleEndian(record[RofsLayout.SymlinkFields.TargetLength..], (ushort)target.Length);
            target.CopyTo(record[RofsLayout.SymlinkFields.Target..]);
            used += RofsLayout.SymlinkFields.Target + target.Length;
            total += RofsLayout.SymlinkFields.Target + target.Length;
        }

        for (int i = 0; i < _nodes.Count; i++)
        {
            Reserve(RofsLayout.InodeFields.Length);
            Span<byte> record = buffer.AsSpan(used, RofsLayout.InodeFields.Length);
            _nodes[i].WriteInode(record, inodeNumber: i + 1);
            used += RofsLayout.InodeFields.Length;
            total += RofsLayout.InodeFields.Length;
        }

        output.Write(buffer.AsSpan(0, used));
        return total;
    }

    // Returns the size in bytes of the three tables.
    private long MeasureStructure()
    {
        long bytes = (long)_nodes.Count * RofsLayout.InodeFields.Length;
        foreach ((byte[] name, _) in _entries)
        {
            bytes += RofsLayout.DirectoryEntryFields.Name + name.Length;
        }

        foreach (byte[] target in _symlinks)
        {
            bytes += RofsLayout.SymlinkFields.Target + target.Length;
        }

        return bytes;
    }

    // Numbers the children of one directory depth-first, then appends its entries after those of its subdirectories.
    private void AddDirectory(GuestDirectory directory, Node directoryNode, Encoding encoding, DiagnosticBag diagnostics)
    {
        var children = new List<(byte[] Name, Node Node)>(directory.Children.Count);
        foreach (GuestNode child in directory.Children)
        {
            string guestPath = child.GuestPath;
            byte[]? name = Encode(child.Name, guestPath, "name", encoding, child, diagnostics);
            if (name is null)
            {
                continue;
            }

            if (name.Length > RofsLayout.Limits.MaxNameBytes)
            {
                diagnostics.Error(
                    RofsDiagnosticCodes.NameTooLong,
                    $"The name of '{Shorten(guestPath)}' is {name.Length} bytes long but a ROFS directory entry stores at most {RofsLayout.Limits.MaxNameBytes}; shorten it.",
                    child.Origin);
                continue;
            }

            int pathBytes = encoding.GetByteCount(guestPath);
            if (pathBytes > RofsLayout.Limits.MaxPathBytes)
            {
                diagnostics.Error(
                    RofsDiagnosticCodes.PathTooLong,
                    $"The guest path '{Shorten(guestPath)}' is {pathBytes} bytes long but OSv opens paths of at most {RofsLayout.Limits.MaxPathBytes} bytes (PATH_MAX 4096 with the NUL); shorten it.",
                    child.Origin);
                continue;
            }

            var node = new Node(this, KindOf(child), guestPath, child.Origin);
            _nodes.Add(node);
            children.Add((name, node));

            switch (child)
            {
                case GuestDirectory subdirectory:
                    AddDirectory(subdirectory, node, encoding, diagnostics);
                    break;
                case GuestSymlink link:
                    AddSymlink(link, node, encoding, diagnostics);
                    break;
                case GuestFile file:
                    MeasureFile(file, node, diagnostics);
                    break;
            }
        }

        directoryNode.FirstEntry = _entries.Count;
        directoryNode.Size = children.Count;
        foreach ((byte[] name, Node node) in children)
        {
            _entries.Add((name, node.InodeNumber));
        }
    }

    // Records the target of a symbolic link in the link table.
    private void AddSymlink(GuestSymlink link, Node node, Encoding encoding, DiagnosticBag diagnostics)
    {
        byte[]? target = Encode(link.Target, link.GuestPath, "link target", encoding, link, diagnostics);
        if (target is null)
        {
            return;
        }

        if (target.Length > RofsLayout.Limits.MaxNameBytes)
        {
            diagnostics.Error(
                RofsDiagnosticCodes.SymlinkTargetTooLong,
                $"The target of the symbolic link '{Shorten(link.GuestPath)}' is {target.Length} bytes long but ROFS stores at most {RofsLayout.Limits.MaxNameBytes}; shorten it.",
                link.Origin);
            return;
        }

        node.SymlinkIndex = _symlinks.Count;
        _symlinks.Add(target);
    }

    // Measures a host file now, so that the size check happens before anything is written.
    private static void MeasureFile(GuestFile file, Node node, DiagnosticBag diagnostics)
    {
        node.HostPath = file.HostPath;
        var info = new FileInfo(file.HostPath);
        if (!info.Exists)
        {
            diagnostics.Error(
                RofsDiagnosticCodes.HostFileUnreadable,
                $"The host file '{file.HostPath}' for '{file.GuestPath}' does not exist or is not a regular file; check the manifest entry.",
                file.Origin);
            return;
        }

        node.Size = info.Length;
    }

    // Encodes a name or target as UTF-8, or reports why it cannot be.
    private static byte[]? Encode(string text, string guestPath, string what, Encoding encoding, GuestNode node, DiagnosticBag diagnostics)
    {
        try
        {
            return encoding.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            diagnostics.Error(
                RofsDiagnosticCodes.InvalidText,
                $"The {what} of '{Shorten(guestPath)}' contains an unpaired UTF-16 surrogate and has no UTF-8 form; rename it.",
                node.Origin);
            return null;
        }
    }

    private static FileSystemEntryKind KindOf(GuestNode node) => node switch
    {
        GuestDirectory => FileSystemEntryKind.Directory,
        GuestSymlink => FileSystemEntryKind.Symlink,
        _ => FileSystemEntryKind.File,
    };

    // Keeps messages readable when a name is thousands of characters long.
    private static string Shorten(string text) => text.Length <= 200 ? text : text[..100] + "..." + text[^100..];

    /// <summary>One inode and what the writer needs to fill it in.</summary>
    internal sealed class Node
    {
        public Node(RofsTree tree, FileSystemEntryKind kind, string guestPath, SourceLocation? origin)
        {
            Tree = tree;
            Kind = kind;
            GuestPath = guestPath;
            Origin = origin;
            InodeNumber = tree._nodes.Count + 1;
        }

        public RofsTree Tree { get; }

        public FileSystemEntryKind Kind { get; }

        public string GuestPath { get; }

        public SourceLocation? Origin { get; }

        /// <summary>Gets the 1-based inode number.</summary>
        public int InodeNumber { get; }

        /// <summary>Gets or sets the host file of a regular file.</summary>
        public string? HostPath { get; set; }

        /// <summary>Gets or sets the file size in bytes, or the entry count of a directory.</summary>
        public long Size { get; set; }

        /// <summary>Gets or sets the first data block of a regular file.</summary>
        public long DataBlock { get; set; }

        /// <summary>Gets or sets the index of a directory's first entry in the entry table.</summary>
        public int FirstEntry { get; set; }

        /// <summary>Gets or sets the index of a symbolic link's target in the link table.</summary>
        public int SymlinkIndex { get; set; }

        /// <summary>Writes the 32-byte inode record.</summary>
        public void WriteInode(Span<byte> record, int inodeNumber)
        {
            Debug.Assert(inodeNumber == InodeNumber, "Inodes must be written in number order.");
            (ulong mode, ulong dataOffset, ulong count) = Kind switch
            {
                FileSystemEntryKind.Directory => (RofsLayout.Modes.Directory, (ulong)FirstEntry, (ulong)Size),
                FileSystemEntryKind.Symlink => (RofsLayout.Modes.Symlink, (ulong)SymlinkIndex, 1UL),
                _ => (RofsLayout.Modes.File, (ulong)DataBlock, (ulong)Size),
            };
            BinaryPrimitives.WriteUInt64LittleEndian(record[RofsLayout.InodeFields.Mode..], mode);
            BinaryPrimitives.WriteUInt64LittleEndian(record[RofsLayout.InodeFields.InodeNumber..], (ulong)inodeNumber);
            BinaryPrimitives.WriteUInt64LittleEndian(record[RofsLayout.InodeFields.DataOffset..], dataOffset);
            BinaryPrimitives.WriteUInt64LittleEndian(record[RofsLayout.InodeFields.Count..], count);
        }
    }
}
