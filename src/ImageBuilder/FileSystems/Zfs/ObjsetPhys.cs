using System.Buffers.Binary;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The objset block (objset_phys_t): the meta-dnode, the intent-log header and the objset type. Written in
/// its 2048-byte form, OSv's native size; OpenZFS reads it and widens it in memory.
/// </summary>
internal static class ObjsetPhys
{
    /// <summary>The size of the block written.</summary>
    public const int Size = 2048;

    /// <summary>The offset of the meta-dnode.</summary>
    public const int MetaDnodeOffset = 0;

    /// <summary>The offset of the intent-log header (zil_header_t, 192 bytes; all zero means no log to replay).</summary>
    public const int ZilHeaderOffset = 512;

    /// <summary>The offset of os_type.</summary>
    public const int TypeOffset = 704;

    /// <summary>Builds the block for an objset of <paramref name="type"/> whose meta-dnode is <paramref name="metaDnode"/>.</summary>
    public static byte[] Build(Dnode metaDnode, ObjsetType type)
    {
        var block = new byte[Size];
        metaDnode.Write(block.AsSpan(MetaDnodeOffset, Dnode.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(TypeOffset), (ulong)type);
        return block;
    }

    /// <summary>Reads the meta-dnode and type of an objset block, or returns null when the block is too short.</summary>
    public static (Dnode? MetaDnode, ObjsetType Type)? Read(ReadOnlySpan<byte> block)
    {
        if (block.Length < TypeOffset + sizeof(ulong))
        {
            return null;
        }

        return (Dnode.Read(block[MetaDnodeOffset..Dnode.Size]), (ObjsetType)BinaryPrimitives.ReadUInt64LittleEndian(block[TypeOffset..]));
    }
}

/// <summary>The objset types (dmu_objset_type_t).</summary>
internal enum ObjsetType : ulong
{
    None = 0,
    Meta = 1,
    Zfs = 2,
}
