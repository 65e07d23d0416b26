using System.Buffers.Binary;
using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>The ROFS superblock (struct rofs_super_block in OSv's fs/rofs/rofs.hh), as read from block 0.</summary>
/// <param name="Magic">The magic number, 0xDEADBEAD in a valid image.</param>
/// <param name="Version">The format version, 1.</param>
/// <param name="BlockSize">The block size in bytes, 512.</param>
/// <param name="StructureFirstBlock">The first block of the structure area (directory entries, links, inodes).</param>
/// <param name="StructureBlockCount">The number of blocks of the structure area.</param>
/// <param name="DirectoryEntryCount">The number of directory entries.</param>
/// <param name="SymlinkCount">The number of symbolic link records.</param>
/// <param name="InodeCount">The number of inodes.</param>
public readonly record struct RofsSuperblock(
    ulong Magic,
    ulong Version,
    ulong BlockSize,
    ulong StructureFirstBlock,
    ulong StructureBlockCount,
    ulong DirectoryEntryCount,
    ulong SymlinkCount,
    ulong InodeCount)
{
    // Decodes the 64 bytes of a superblock.
    internal static RofsSuperblock Read(ReadOnlySpan<byte> block)
    {
        Debug.Assert(block.Length >= RofsLayout.SuperblockFields.Length, "The superblock is 64 bytes.");
        return new RofsSuperblock(
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.Magic..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.Version..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.BlockSize..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.StructureFirstBlock..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.StructureBlockCount..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.DirectoryEntryCount..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.SymlinkCount..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[RofsLayout.SuperblockFields.InodeCount..]));
    }
}
