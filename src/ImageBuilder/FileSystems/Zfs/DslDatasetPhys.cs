using System.Buffers.Binary;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>The bonus buffer of a DSL dataset (dsl_dataset_phys_t, 320 bytes): a filesystem or snapshot and its objset.</summary>
internal sealed class DslDatasetPhys
{
    /// <summary>The size of the bonus buffer.</summary>
    public const int Size = 320;

    /// <summary>DS_FLAG_UNIQUE_ACCURATE: unique_bytes is exact.</summary>
    public const ulong FlagUniqueAccurate = 4;

    private static class Offsets
    {
        public const int Directory = 0;
        public const int PreviousSnapshot = 8;
        public const int PreviousSnapshotTxg = 16;
        public const int NextSnapshot = 24;
        public const int SnapshotNamesZap = 32;
        public const int ChildCount = 40;        // for a snapshot: clones + 1 (its next snapshot or head)
        public const int CreationTime = 48;
        public const int CreationTxg = 56;
        public const int Deadlist = 64;
        public const int ReferencedBytes = 72;
        public const int CompressedBytes = 80;
        public const int UncompressedBytes = 88;
        public const int UniqueBytes = 96;
        public const int FsidGuid = 104;
        public const int Guid = 112;
        public const int Flags = 120;
        public const int ObjsetPointer = 128;    // 128-byte block pointer
        public const int NextClones = 256;
    }

    /// <summary>Gets or sets the DSL directory's object.</summary>
    public ulong Directory { get; set; }

    /// <summary>Gets or sets the previous snapshot's object (the origin for a clone).</summary>
    public ulong PreviousSnapshot { get; set; }

    /// <summary>Gets or sets the previous snapshot's creation txg.</summary>
    public ulong PreviousSnapshotTxg { get; set; }

    /// <summary>Gets or sets the next snapshot's object (for a snapshot: the head dataset).</summary>
    public ulong NextSnapshot { get; set; }

    /// <summary>Gets or sets the snapshot-names ZAP's object.</summary>
    public ulong SnapshotNamesZap { get; set; }

    /// <summary>Gets or sets the child count of a snapshot.</summary>
    public ulong ChildCount { get; set; }

    /// <summary>Gets or sets the creation time in seconds.</summary>
    public ulong CreationTime { get; set; }

    /// <summary>Gets or sets the creation txg.</summary>
    public ulong CreationTxg { get; set; }

    /// <summary>Gets or sets the deadlist's object.</summary>
    public ulong Deadlist { get; set; }

    /// <summary>Gets or sets the space of the objset's blocks.</summary>
    public SpaceUsage Referenced { get; set; }

    /// <summary>Gets or sets the filesystem id GUID.</summary>
    public ulong FsidGuid { get; set; }

    /// <summary>Gets or sets the dataset GUID.</summary>
    public ulong Guid { get; set; }

    /// <summary>Gets or sets the objset's block pointer.</summary>
    public BlockPointer Objset { get; set; }

    /// <summary>Gets or sets the next-clones ZAP's object (on a snapshot).</summary>
    public ulong NextClones { get; set; }

    /// <summary>Builds the bonus buffer; every referenced byte is unique, as there are no snapshots of it.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Span<byte> span = bytes;
        Write(span, Offsets.Directory, Directory);
        Write(span, Offsets.PreviousSnapshot, PreviousSnapshot);
        Write(span, Offsets.PreviousSnapshotTxg, PreviousSnapshotTxg);
        Write(span, Offsets.NextSnapshot, NextSnapshot);
        Write(span, Offsets.SnapshotNamesZap, SnapshotNamesZap);
        Write(span, Offsets.ChildCount, ChildCount);
        Write(span, Offsets.CreationTime, CreationTime);
        Write(span, Offsets.CreationTxg, CreationTxg);
        Write(span, Offsets.Deadlist, Deadlist);
        Write(span, Offsets.ReferencedBytes, (ulong)Referenced.Allocated);
        Write(span, Offsets.CompressedBytes, (ulong)Referenced.Physical);
        Write(span, Offsets.UncompressedBytes, (ulong)Referenced.Uncompressed);
        Write(span, Offsets.UniqueBytes, (ulong)Referenced.Allocated);
        Write(span, Offsets.FsidGuid, FsidGuid);
        Write(span, Offsets.Guid, Guid);
        Write(span, Offsets.Flags, FlagUniqueAccurate);
        Objset.Write(span[Offsets.ObjsetPointer..]);
        Write(span, Offsets.NextClones, NextClones);
        return bytes;
    }

    /// <summary>Reads the objset block pointer of a dataset bonus buffer.</summary>
    public static BlockPointer ReadObjset(ReadOnlySpan<byte> bonus) => BlockPointer.Read(bonus[Offsets.ObjsetPointer..]);

    private static void Write(Span<byte> span, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], value);
}
