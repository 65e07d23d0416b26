namespace Osv.ImageBuilder.FileSystems.Bootfs;

/// <summary>
/// The layout of OSv's bootfs blob, as scripts/mkbootfs.py packs it (struct.pack('QQb111s')) and
/// unpack_bootfs in fs/vfs/main.cc reads it: a table of 128-byte records ended by an all-zero record,
/// then the data of every record in table order, unaligned. Integers are little-endian.
/// </summary>
internal static class BootfsLayout
{
    /// <summary>Field offsets inside one record.</summary>
    public static class RecordFields
    {
        /// <summary>u64: the size of the data in bytes.</summary>
        public const int Size = 0;

        /// <summary>u64: the offset of the data from the start of the blob.</summary>
        public const int Offset = 8;

        /// <summary>u8: 0 for a file or directory, 1 for a symbolic link.</summary>
        public const int Type = 16;

        /// <summary>The NUL-padded name, BOOTFS_PATH_MAX (111) bytes.</summary>
        public const int Name = 17;

        /// <summary>The size of the name field in bytes.</summary>
        public const int NameLength = 111;

        /// <summary>The size of one record in bytes.</summary>
        public const int Length = 128;
    }

    /// <summary>The longest name in bytes: the name field keeps one byte for the terminating NUL.</summary>
    public const int MaxNameBytes = RecordFields.NameLength - 1;

    /// <summary>The type of a file or a directory; a directory's name ends with '/' and it has no data.</summary>
    public const byte TypeOther = 0;

    /// <summary>The type of a symbolic link, whose data is the target followed by a NUL.</summary>
    public const byte TypeSymlink = 1;
}
