using System.Buffers.Binary;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>The bonus buffer of a DSL directory (dsl_dir_phys_t, 256 bytes): a node of the dataset namespace.</summary>
internal sealed class DslDirPhys
{
    /// <summary>The size of the bonus buffer.</summary>
    public const int Size = 256;

    /// <summary>DD_FLAG_USED_BREAKDOWN: the used-bytes breakdown is kept.</summary>
    public const ulong FlagUsedBreakdown = 1;

    private static class Offsets
    {
        public const int CreationTime = 0;
        public const int HeadDataset = 8;
        public const int Parent = 16;
        public const int Origin = 24;           // the snapshot this directory's head was cloned from
        public const int ChildDirectoryZap = 32;
        public const int UsedBytes = 40;
        public const int CompressedBytes = 48;
        public const int UncompressedBytes = 56;
        public const int Quota = 64;
        public const int Reserved = 72;
        public const int PropertiesZap = 80;
        public const int DelegationZap = 88;
        public const int Flags = 96;
        public const int UsedBreakdown = 104;   // five uint64: HEAD, SNAP, CHILD, CHILD_RSRV, REFRSRV
        public const int Clones = 144;
    }

    /// <summary>Gets or sets the creation time in seconds.</summary>
    public ulong CreationTime { get; set; }

    /// <summary>Gets or sets the object of the head dataset, 0 for none.</summary>
    public ulong HeadDataset { get; set; }

    /// <summary>Gets or sets the parent directory's object, 0 for the root.</summary>
    public ulong Parent { get; set; }

    /// <summary>Gets or sets the origin snapshot's object.</summary>
    public ulong Origin { get; set; }

    /// <summary>Gets or sets the child-directory ZAP's object.</summary>
    public ulong ChildDirectoryZap { get; set; }

    /// <summary>Gets or sets the properties ZAP's object.</summary>
    public ulong PropertiesZap { get; set; }

    /// <summary>Gets or sets the clones ZAP's object (on the $ORIGIN directory).</summary>
    public ulong Clones { get; set; }

    /// <summary>Gets or sets the space of the head dataset.</summary>
    public SpaceUsage Head { get; set; }

    /// <summary>Gets or sets the space of the child directories.</summary>
    public SpaceUsage Children { get; set; }

    /// <summary>Builds the bonus buffer; used bytes are the head's plus the children's.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Span<byte> span = bytes;
        SpaceUsage total = Head + Children;
        Write(span, Offsets.CreationTime, CreationTime);
        Write(span, Offsets.HeadDataset, HeadDataset);
        Write(span, Offsets.Parent, Parent);
        Write(span, Offsets.Origin, Origin);
        Write(span, Offsets.ChildDirectoryZap, ChildDirectoryZap);
        Write(span, Offsets.UsedBytes, (ulong)total.Allocated);
        Write(span, Offsets.CompressedBytes, (ulong)total.Physical);
        Write(span, Offsets.UncompressedBytes, (ulong)total.Uncompressed);
        Write(span, Offsets.PropertiesZap, PropertiesZap);
        Write(span, Offsets.Flags, FlagUsedBreakdown);
        Write(span, Offsets.UsedBreakdown, (ulong)Head.Allocated);
        Write(span, Offsets.UsedBreakdown + (2 * sizeof(ulong)), (ulong)Children.Allocated);
        Write(span, Offsets.Clones, Clones);
        return bytes;
    }

    /// <summary>Reads the fields the reader follows: head dataset and child-directory ZAP.</summary>
    public static (ulong HeadDataset, ulong ChildDirectoryZap) ReadLinks(ReadOnlySpan<byte> bonus) => (
        BinaryPrimitives.ReadUInt64LittleEndian(bonus[Offsets.HeadDataset..]),
        BinaryPrimitives.ReadUInt64LittleEndian(bonus[Offsets.ChildDirectoryZap..]));

    /// <summary>Reads the bytes used by the directory and its children.</summary>
    public static ulong ReadUsedBytes(ReadOnlySpan<byte> bonus) => BinaryPrimitives.ReadUInt64LittleEndian(bonus[Offsets.UsedBytes..]);

    private static void Write(Span<byte> span, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], value);
}
