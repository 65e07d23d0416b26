namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The ZPL's system attributes (zfs_sa.c's zfs_attr_table): their registry and the two layouts this writer
/// uses. Numbers 0 to 15 are fixed legacy numbers; the rest are numbered in table order, as the kernel's
/// sa_setup registers them.
/// </summary>
internal static class SystemAttributes
{
    /// <summary>The attribute numbers.</summary>
    public const ushort Atime = 0, Mtime = 1, Ctime = 2, Crtime = 3, Gen = 4, Mode = 5, Size = 6, Parent = 7,
        Links = 8, Xattr = 9, Rdev = 10, Flags = 11, Uid = 12, Gid = 13, Pad = 14, ZnodeAcl = 15,
        DaclCount = 16, Symlink = 17, Scanstamp = 18, DaclAces = 19;

    /// <summary>The layout of directories and regular files.</summary>
    public const int DefaultLayout = 2;

    /// <summary>The layout of symbolic links: the default one plus the link target.</summary>
    public const int SymlinkLayout = 3;

    // Byte-swap classes of sa_bswap_type_t.
    private const int SwapUInt64 = 0;
    private const int SwapUInt8 = 3;
    private const int SwapAcl = 4;

    /// <summary>
    /// Gets the registry entries: name, number, length in bytes (0 = variable) and byte-swap class. The
    /// attributes OpenZFS added later (ZPL_DXATTR, ZPL_PROJID) are left out, as OSv's port does not know them.
    /// </summary>
    public static IReadOnlyList<(string Name, ushort Number, int Length, int Swap)> Registry { get; } =
    [
        ("ZPL_ATIME", Atime, 16, SwapUInt64),
        ("ZPL_MTIME", Mtime, 16, SwapUInt64),
        ("ZPL_CTIME", Ctime, 16, SwapUInt64),
        ("ZPL_CRTIME", Crtime, 16, SwapUInt64),
        ("ZPL_GEN", Gen, 8, SwapUInt64),
        ("ZPL_MODE", Mode, 8, SwapUInt64),
        ("ZPL_SIZE", Size, 8, SwapUInt64),
        ("ZPL_PARENT", Parent, 8, SwapUInt64),
        ("ZPL_LINKS", Links, 8, SwapUInt64),
        ("ZPL_XATTR", Xattr, 8, SwapUInt64),
        ("ZPL_RDEV", Rdev, 8, SwapUInt64),
        ("ZPL_FLAGS", Flags, 8, SwapUInt64),
        ("ZPL_UID", Uid, 8, SwapUInt64),
        ("ZPL_GID", Gid, 8, SwapUInt64),
        ("ZPL_PAD", Pad, 32, SwapUInt64),
        ("ZPL_ZNODE_ACL", ZnodeAcl, 88, SwapUInt8),
        ("ZPL_DACL_COUNT", DaclCount, 8, SwapUInt64),
        ("ZPL_SYMLINK", Symlink, 0, SwapUInt8),
        ("ZPL_SCANSTAMP", Scanstamp, 32, SwapUInt8),
        ("ZPL_DACL_ACES", DaclAces, 0, SwapAcl),
    ];

    /// <summary>
    /// Gets the attributes of the default layout in the order zfs_mknode adds them, which is their order in
    /// the bonus buffer.
    /// </summary>
    public static ushort[] DefaultLayoutAttributes { get; } =
        [Mode, Size, Gen, Uid, Gid, Parent, Flags, Atime, Mtime, Ctime, Crtime, Links, DaclCount, DaclAces];

    /// <summary>Gets the attributes of the symlink layout: zfs_symlink adds the target after the default ones.</summary>
    public static ushort[] SymlinkLayoutAttributes { get; } = [.. DefaultLayoutAttributes, Symlink];

    /// <summary>Encodes a registry value (ATTR_ENCODE): length in bits 24-39, byte-swap class in 16-23, number in 0-15.</summary>
    public static ulong EncodeRegistration(ushort number, int length, int swap) =>
        ((ulong)length << 24) | ((ulong)swap << 16) | number;
}
