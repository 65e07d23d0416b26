namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>
/// The on-disk layout of ROFS version 1, as OSv's scripts/gen-rofs-img.py writes it and fs/rofs/rofs.hh
/// reads it. Every integer is little-endian.
/// </summary>
/// <remarks>
/// Block 0 holds the superblock. File data starts at block 1, each file padded to a whole block. The
/// structure area follows: every directory entry, then every symbolic link, then every inode, and the
/// whole area is padded to a block.
/// </remarks>
internal static class RofsLayout
{
    /// <summary>The block size in bytes; gen-rofs-img.py writes no other.</summary>
    public const int BlockSize = 512;

    /// <summary>The superblock magic number (ROFS_MAGIC).</summary>
    public const ulong Magic = 0xDEADBEAD;

    /// <summary>The only version OSv mounts (ROFS_VERSION).</summary>
    public const ulong Version = 1;

    /// <summary>The inode number of the root directory; inode numbers are 1-based indexes into the inode table.</summary>
    public const ulong RootInodeNumber = 1;

    /// <summary>The block that holds the superblock.</summary>
    public const long SuperblockBlock = 0;

    /// <summary>The first block of file data.</summary>
    public const long FirstDataBlock = 1;

    /// <summary>Field offsets inside the superblock, eight u64 values.</summary>
    public static class SuperblockFields
    {
        public const int Magic = 0;
        public const int Version = 8;
        public const int BlockSize = 16;
        public const int StructureFirstBlock = 24;
        public const int StructureBlockCount = 32;
        public const int DirectoryEntryCount = 40;
        public const int SymlinkCount = 48;
        public const int InodeCount = 56;

        /// <summary>The size of the superblock in bytes.</summary>
        public const int Length = 64;
    }

    /// <summary>Field offsets inside an inode record, four u64 values.</summary>
    /// <remarks>
    /// OSv's struct rofs_inode declares the mode as a 32-bit mode_t followed by 4 bytes of alignment
    /// padding, while gen-rofs-img.py writes it as a u64; both agree because the mode fits in the low half.
    /// </remarks>
    public static class InodeFields
    {
        public const int Mode = 0;
        public const int InodeNumber = 8;
        public const int DataOffset = 16;
        public const int Count = 24;

        /// <summary>The size of an inode record in bytes.</summary>
        public const int Length = 32;
    }

    /// <summary>Field offsets inside a directory entry: u64 inode number, u16 name length, then the name bytes.</summary>
    public static class DirectoryEntryFields
    {
        public const int InodeNumber = 0;
        public const int NameLength = 8;
        public const int Name = 10;
    }

    /// <summary>Field offsets inside a symbolic link record: u16 target length, then the target bytes.</summary>
    public static class SymlinkFields
    {
        public const int TargetLength = 0;
        public const int Target = 2;
    }

    /// <summary>Inode modes, the S_IFMT bits gen-rofs-img.py writes.</summary>
    public static class Modes
    {
        public const ulong Directory = 0x4000;
        public const ulong File = 0x8000;
        public const ulong Symlink = 0xA000;

        /// <summary>The mask of the file type bits (S_IFMT).</summary>
        public const ulong TypeMask = 0xF000;
    }

    /// <summary>Bounds OSv applies when it mounts an image or looks a path up.</summary>
    public static class Limits
    {
        /// <summary>The maximum name or link target length in bytes: the length field is a u16.</summary>
        public const int MaxNameBytes = ushort.MaxValue;

        /// <summary>
        /// The maximum number of inodes: rofs_lookup in fs/rofs/rofs_vnops.cc stores the inode number of a
        /// directory entry in an int before it checks it.
        /// </summary>
        public const long MaxInodes = int.MaxValue;

        /// <summary>
        /// The maximum length of a guest path in bytes: path_conv in fs/vfs/vfs_task.cc rejects a path of
        /// PATH_MAX (4096) bytes or more with ENAMETOOLONG.
        /// </summary>
        public const int MaxPathBytes = 4095;
    }
}
