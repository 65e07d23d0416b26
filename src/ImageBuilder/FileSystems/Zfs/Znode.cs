using System.Buffers.Binary;
using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The bonus buffer of a ZPL object with system attributes (bonus type SA): a header naming the layout and
/// the lengths of its variable-size attributes, then every attribute of the layout in order, each padded to
/// 8 bytes. The ACL is the trivial one derived from the mode (three ACEs: owner@, group@, everyone@).
/// </summary>
internal static class Znode
{
    /// <summary>The SA header magic (SA_MAGIC).</summary>
    public const uint Magic = 0x2F505A;

    /// <summary>File type bits of the mode.</summary>
    public const ulong TypeDirectory = 0x4000, TypeRegular = 0x8000, TypeSymlink = 0xA000;

    /// <summary>
    /// The ZPL flags zfs_mknode gives a new object with a trivial ACL (sys/zfs_znode.h): AV_MODIFIED, ARCHIVE,
    /// NO_EXECS_DENIED (no ACE denies execute) and ACL_TRIVIAL.
    /// </summary>
    public const ulong FileFlags = 0x40800000104;

    /// <summary>The flags of a new directory: <see cref="FileFlags"/> and ACL_AUTO_INHERIT, as zfs_acl_ids_create adds it for directories.</summary>
    public const ulong DirectoryFlags = FileFlags | 0x40;

    /// <summary>The longest symbolic link target that fits the bonus buffer beside the other attributes.</summary>
    public const int MaxSymlinkTarget = Dnode.MaxBonusLength - 16 - 136 - (3 * AceSize);

    /// <summary>Directory entry types, kept in the top 4 bits of a directory ZAP value (ZFS_DIRENT_MAKE).</summary>
    public const ulong DirentRegular = 8, DirentDirectory = 4, DirentSymlink = 10;

    private const int AceSize = 8;
    private const int AceCount = 3;

    // ACE flags and access-mask bits (sys/acl.h).
    private const ushort AceOwner = 0x1000, AceGroup = 0x2000, AceEveryone = 0x4000, AceIdentifierGroup = 0x0040;
    private const uint ReadData = 0x1, WriteData = 0x2, AppendData = 0x4, ReadNamedAttributes = 0x8,
        WriteNamedAttributes = 0x10, Execute = 0x20, ReadAttributes = 0x80, WriteAttributes = 0x100,
        ReadAcl = 0x20000, WriteAcl = 0x40000, WriteOwner = 0x80000, Synchronize = 0x100000;

    /// <summary>Builds the bonus buffer of one object.</summary>
    public static byte[] BuildBonus(in ZnodeAttributes attributes)
    {
        bool isSymlink = attributes.SymlinkTarget is not null;
        ushort[] layout = isSymlink ? SystemAttributes.SymlinkLayoutAttributes : SystemAttributes.DefaultLayoutAttributes;
        int variableCount = isSymlink ? 2 : 1;
        int headerSize = Align8(4 + 2 + (2 * variableCount));
        int targetLength = attributes.SymlinkTarget?.Length ?? 0;
        int size = headerSize + (7 * 8) + (4 * 16) + 8 + 8 + (AceCount * AceSize) + Align8(targetLength);
        Debug.Assert(size <= Dnode.MaxBonusLength, "The caller rejected link targets over the limit.");

        var bonus = new byte[size];
        Span<byte> span = bonus;

        // Header: magic, layout number and header size in 8-byte units, then variable lengths in layout order.
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        int layoutNumber = isSymlink ? SystemAttributes.SymlinkLayout : SystemAttributes.DefaultLayout;
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)(((headerSize / 8) << 10) | layoutNumber));
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)(AceCount * AceSize));
        if (isSymlink)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[8..], (ushort)targetLength);
        }

        int offset = headerSize;
        foreach (ushort attribute in layout)
        {
            Span<byte> field = span[offset..];
            switch (attribute)
            {
                case SystemAttributes.Mode: WriteUInt64(field, attributes.Mode); offset += 8; break;
                case SystemAttributes.Size: WriteUInt64(field, attributes.Size); offset += 8; break;
                case SystemAttributes.Gen: WriteUInt64(field, attributes.Generation); offset += 8; break;
                case SystemAttributes.Uid: WriteUInt64(field, 0); offset += 8; break;
                case SystemAttributes.Gid: WriteUInt64(field, 0); offset += 8; break;
                case SystemAttributes.Parent: WriteUInt64(field, attributes.Parent); offset += 8; break;
                case SystemAttributes.Flags: WriteUInt64(field, IsDirectory(attributes.Mode) ? DirectoryFlags : FileFlags); offset += 8; break;
                case SystemAttributes.Atime or SystemAttributes.Mtime or SystemAttributes.Ctime or SystemAttributes.Crtime:
                    WriteUInt64(field, (ulong)attributes.Seconds); // then 8 bytes of nanoseconds, left 0
                    offset += 16;
                    break;
                case SystemAttributes.Links: WriteUInt64(field, attributes.Links); offset += 8; break;
                case SystemAttributes.DaclCount: WriteUInt64(field, AceCount); offset += 8; break;
                case SystemAttributes.DaclAces: WriteTrivialAcl(field, attributes.Mode); offset += AceCount * AceSize; break;
                case SystemAttributes.Symlink: attributes.SymlinkTarget.CopyTo(field); offset += Align8(targetLength); break;
                default: throw new UnreachableException($"Attribute {attribute} is not in the layouts.");
            }
        }

        Debug.Assert(offset == size, "Every attribute of the layout was written.");
        return bonus;
    }

    // owner@, group@ and everyone@ allow entries equivalent to the mode's permission bits.
    private static void WriteTrivialAcl(Span<byte> destination, ulong mode)
    {
        const uint everyoneBase = ReadAcl | ReadAttributes | ReadNamedAttributes | Synchronize;
        const uint ownerBase = everyoneBase | WriteAttributes | WriteOwner | WriteAcl | WriteNamedAttributes;
        WriteAce(destination, AceOwner, ownerBase | Permissions(mode >> 6));
        WriteAce(destination[AceSize..], (ushort)(AceGroup | AceIdentifierGroup), everyoneBase | Permissions(mode >> 3));
        WriteAce(destination[(2 * AceSize)..], AceEveryone, everyoneBase | Permissions(mode));
    }

    // The access bits of one rwx triplet.
    private static uint Permissions(ulong bits)
    {
        uint mask = 0;
        mask |= (bits & 4) != 0 ? ReadData : 0;
        mask |= (bits & 2) != 0 ? WriteData | AppendData : 0;
        mask |= (bits & 1) != 0 ? Execute : 0;
        return mask;
    }

    // An ACE header: type (0 = allow), flags, access mask.
    private static void WriteAce(Span<byte> destination, ushort flags, uint accessMask)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], accessMask);
    }

    private static bool IsDirectory(ulong mode) => (mode & 0xF000) == TypeDirectory;

    private static void WriteUInt64(Span<byte> destination, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(destination, value);

    private static int Align8(int value) => (value + 7) & ~7;
}

/// <summary>The attributes of one ZPL object.</summary>
/// <param name="Mode">The file type and permission bits.</param>
/// <param name="Size">The file size; for a directory, its entries plus 2; for a link, the target length.</param>
/// <param name="Generation">The transaction group the object was created in (non-zero).</param>
/// <param name="Parent">The object number of the containing directory; the root is its own parent.</param>
/// <param name="Links">The number of names: 1 for files and links, 2 plus subdirectories for directories.</param>
/// <param name="Seconds">The access, modification, change and creation time, in seconds since the epoch.</param>
/// <param name="SymlinkTarget">The link target's bytes, or null for other objects.</param>
internal readonly record struct ZnodeAttributes(ulong Mode, ulong Size, ulong Generation, ulong Parent, ulong Links, long Seconds, byte[]? SymlinkTarget);
