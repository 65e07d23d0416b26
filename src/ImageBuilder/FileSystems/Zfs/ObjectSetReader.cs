namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Reads one objset: finds an object's dnode in the dnode array and reads the blocks of an object through
/// its indirect block tree. Levels, indexes and sizes are checked at every step, so a damaged tree ends in
/// an <see cref="InvalidImageException"/>, never in a loop.
/// </summary>
internal sealed class ObjectSetReader
{
    private const int MaxLevels = 10;

    private readonly PoolReader _pool;
    private readonly Dnode _metaDnode;
    private readonly string _name;

    /// <summary>Opens the objset that <paramref name="pointer"/> names; <paramref name="name"/> appears in errors.</summary>
    /// <exception cref="InvalidImageException">The objset block is damaged.</exception>
    public ObjectSetReader(PoolReader pool, BlockPointer pointer, string name)
    {
        _pool = pool;
        _name = name;
        if (pointer.IsHole)
        {
            throw new InvalidImageException($"The objset of {name} is a hole: the dataset has no filesystem.");
        }

        if (pointer.Type != DmuObjectType.Objset || pointer.Level != 0)
        {
            throw new InvalidImageException($"The objset pointer of {name} names a block of type {(int)pointer.Type} at level {pointer.Level}, not an objset ({pointer}).");
        }

        byte[] block = pool.ReadBlock(pointer, $"objset block of {name}");
        if (ObjsetPhys.Read(block) is not ({ } metaDnode, ObjsetType type) || metaDnode.Type != DmuObjectType.Dnode)
        {
            throw new InvalidImageException($"The objset block of {name} has no valid meta-dnode ({pointer}).");
        }

        CheckDnode(metaDnode, $"meta-dnode of {name}");
        if (metaDnode.DataBlockSize < Dnode.Size)
        {
            throw new InvalidImageException($"The meta-dnode of {name} has {metaDnode.DataBlockSize}-byte blocks, smaller than one dnode.");
        }

        _metaDnode = metaDnode;
        Type = type;
    }

    /// <summary>Gets the objset type.</summary>
    public ObjsetType Type { get; }

    /// <summary>Returns the dnode of object <paramref name="objectId"/>, which must be allocated.</summary>
    /// <exception cref="InvalidImageException">The object does not exist or its dnode is damaged.</exception>
    public Dnode GetDnode(ulong objectId)
    {
        ulong perBlock = (ulong)(_metaDnode.DataBlockSize / Dnode.Size);
        ulong blockId = objectId / perBlock;
        if (objectId == 0 || blockId > _metaDnode.MaxBlockId)
        {
            throw new InvalidImageException($"Object {objectId} of {_name} is outside its dnode array ({(_metaDnode.MaxBlockId + 1) * perBlock} slots).");
        }

        byte[]? block = ReadBlock(_metaDnode, blockId, "dnode array");
        if (block is null)
        {
            throw new InvalidImageException($"Object {objectId} of {_name} lies in a hole of the dnode array: it does not exist.");
        }

        int slot = (int)(objectId % perBlock) * Dnode.Size;
        Dnode dnode = Dnode.Read(block.AsSpan(slot, Dnode.Size))
            ?? throw new InvalidImageException($"The dnode of object {objectId} of {_name} has invalid block pointer or bonus counts.");
        if (dnode.Type == DmuObjectType.None)
        {
            throw new InvalidImageException($"Object {objectId} of {_name} is referenced but free.");
        }

        CheckDnode(dnode, $"object {objectId} of {_name}");
        return dnode;
    }

    /// <summary>
    /// Returns the level-0 block <paramref name="blockId"/> of an object, or null when it is a hole or past
    /// the object's last block.
    /// </summary>
    /// <exception cref="InvalidImageException">The block tree is damaged.</exception>
    public byte[]? ReadBlock(Dnode dnode, ulong blockId, string what)
    {
        if (blockId > dnode.MaxBlockId)
        {
            return null;
        }

        int pointerShift = dnode.IndirectShift - 7; // log2 of the block pointers in one indirect block
        int levels = dnode.Levels;
        int topShift = pointerShift * (levels - 1);
        ulong top = ShiftRight(blockId, topShift);
        if (top >= (ulong)dnode.BlockPointers.Length)
        {
            throw new InvalidImageException($"Block {blockId} of the {what} in {_name} needs block pointer {top}, but the dnode has {dnode.BlockPointers.Length}.");
        }

        BlockPointer pointer = dnode.BlockPointers[top];
        for (int level = levels - 1; level >= 1; level--)
        {
            if (pointer.IsHole)
            {
                return null;
            }

            if (pointer.Level != level || pointer.LogicalSize != 1 << dnode.IndirectShift)
            {
                throw new InvalidImageException($"The indirect block for block {blockId} of the {what} in {_name} should be level {level} of {1 << dnode.IndirectShift} bytes, but is {pointer}.");
            }

            byte[] indirect = _pool.ReadBlock(pointer, $"level-{level} indirect block of the {what} in {_name}");
            int index = (int)(ShiftRight(blockId, pointerShift * (level - 1)) & ((1UL << pointerShift) - 1));
            pointer = BlockPointer.Read(indirect.AsSpan(index * BlockPointer.Size, BlockPointer.Size));
        }

        if (pointer.IsHole)
        {
            return null;
        }

        if (pointer.Level != 0 || pointer.LogicalSize != dnode.DataBlockSize)
        {
            throw new InvalidImageException($"Block {blockId} of the {what} in {_name} should be a level-0 block of {dnode.DataBlockSize} bytes, but is {pointer}.");
        }

        return _pool.ReadBlock(pointer, $"block {blockId} of the {what} in {_name}");
    }

    /// <summary>Reads the spill block of a dnode that has one.</summary>
    public byte[] ReadSpill(Dnode dnode, string what)
    {
        BlockPointer spill = dnode.SpillPointer;
        if (spill.IsHole || spill.Level != 0)
        {
            throw new InvalidImageException($"The spill block pointer of the {what} in {_name} is invalid ({spill}).");
        }

        return _pool.ReadBlock(spill, $"spill block of the {what} in {_name}");
    }

    // A right shift that gives 0 for shifts of 64 or more, where C# would wrap the shift count.
    private static ulong ShiftRight(ulong value, int shift) => shift >= 64 ? 0 : value >> shift;

    // Checks the sizes every walk relies on.
    private static void CheckDnode(Dnode dnode, string what)
    {
        if (dnode.Levels is < 1 or > MaxLevels)
        {
            throw new InvalidImageException($"The {what} has {dnode.Levels} block tree levels; 1 to {MaxLevels} are valid.");
        }

        if (dnode.IndirectShift is < 10 or > 17)
        {
            throw new InvalidImageException($"The {what} has indirect block shift {dnode.IndirectShift}; 10 to 17 are valid.");
        }

        if (dnode.DataBlockSize is < 512 or > BlockPointer.MaxBlockSize)
        {
            throw new InvalidImageException($"The {what} has {dnode.DataBlockSize}-byte data blocks; 512 bytes to 128 KiB are valid.");
        }
    }
}
