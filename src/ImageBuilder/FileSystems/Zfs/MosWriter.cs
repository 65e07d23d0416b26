using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Writes the meta objset (MOS): the object directory (object 1), the pool config, the feature ZAPs, the
/// bpobjs, the DSL tree, the metaslab array and one space map per metaslab. The MOS's last blocks (metaslab
/// array, space maps, dnode array and objset block) are allocated before the space maps are computed, so
/// that the maps describe every allocation, their own blocks included.
/// </summary>
internal sealed class MosWriter
{
    /// <summary>The data block size of the config object (SPA_CONFIG_BLOCKSIZE).</summary>
    public const int ConfigBlockSize = 16 * 1024;

    /// <summary>The data block size of the sync bplist (deferred frees), as spa_create allocates it.</summary>
    public const int SyncBplistBlockSize = 16 * 1024;

    /// <summary>The data block size of the free bpobj (SPA_OLD_MAXBLOCKSIZE).</summary>
    public const int FreeBpobjBlockSize = 128 * 1024;

    /// <summary>The bonus size of a bpobj (BPOBJ_SIZE_V1: six uint64 fields, all zero when empty).</summary>
    public const int BpobjBonusSize = 48;

    private const int SpaceMapTrials = 32;

    private readonly BlockWriter _writer;
    private readonly SpaceAllocator _allocator;
    private readonly PoolGeometry _geometry;
    private readonly DeterministicRandom _random;
    private readonly ObjectSetWriter _mos;

    /// <summary>Creates the writer of a pool's MOS.</summary>
    public MosWriter(BlockWriter writer, SpaceAllocator allocator, PoolGeometry geometry, DeterministicRandom random)
    {
        _writer = writer;
        _allocator = allocator;
        _geometry = geometry;
        _random = random;
        _mos = new ObjectSetWriter(writer, ObjsetType.Meta, incremental: false);
    }

    /// <summary>Writes the MOS and returns its objset pointer (for the uberblock) and the pool config (for the labels).</summary>
    /// <exception cref="PoolFullException">The MOS does not fit in the pool.</exception>
    public (BlockPointer RootBlockPointer, PoolConfig Config) Write(MosContent content)
    {
        SpaceUsage start = _writer.Usage;

        // Number every object first: the config names the metaslab array, the directory names the rest.
        ulong objectDirectory = _mos.AllocateObject();
        Debug.Assert(objectDirectory == 1, "The object directory is MOS object 1 (DMU_POOL_DIRECTORY_OBJECT).");
        ulong configObject = _mos.AllocateObject();
        ulong featuresForRead = _mos.AllocateObject();
        ulong featuresForWrite = _mos.AllocateObject();
        ulong featureDescriptions = _mos.AllocateObject();
        ulong syncBplist = _mos.AllocateObject();
        ulong freeBpobj = _mos.AllocateObject();
        ulong poolProperties = _mos.AllocateObject();
        var dsl = new DslWriter(_mos, _writer, _random, content.Timestamp, content.ChildObjset is not null);
        ulong metaslabArray = _mos.AllocateObject();
        var spaceMapObjects = new ulong[_geometry.MetaslabCount];
        for (long i = 0; i < spaceMapObjects.LongLength; i++)
        {
            spaceMapObjects[i] = _mos.AllocateObject();
        }

        var config = new PoolConfig
        {
            PoolName = content.PoolName,
            PoolGuid = content.PoolGuid,
            VdevGuid = content.VdevGuid,
            Txg = _writer.BirthTxg,
            Geometry = _geometry,
            MetaslabArrayObject = metaslabArray,
            FeaturesForRead = content.UsedLz4 ? [PoolFeatures.Lz4Compress] : [],
        };

        // The object directory: where the pool finds everything else.
        var directory = new ZapObject(_random.NextSalt());
        directory.Add("root_dataset", dsl.RootDirectoryObject);
        directory.Add("config", configObject);
        directory.Add("sync_bplist", syncBplist);
        directory.Add("features_for_read", featuresForRead);
        directory.Add("features_for_write", featuresForWrite);
        directory.Add("feature_descriptions", featureDescriptions);
        directory.Add("free_bpobj", freeBpobj);
        directory.Add("pool_props", poolProperties);
        directory.Add("deflate", 1);
        directory.Add("creation_version", PoolConfig.Version);
        WriteZap(objectDirectory, DmuObjectType.ObjectDirectory, directory);

        WriteConfigObject(configObject, NvListXdr.Encode(config.ForMos()));
        WriteFeatures(featuresForRead, featuresForWrite, featureDescriptions);
        WriteEmptyBpobj(syncBplist, SyncBplistBlockSize);
        WriteEmptyBpobj(freeBpobj, FreeBpobjBlockSize);
        WriteZap(poolProperties, DmuObjectType.PoolProps, new ZapObject(_random.NextSalt()));
        dsl.WriteDatasets(content.RootObjset, content.ChildObjset, content.UsedLz4 ? ZioCompress.Lz4 : ZioCompress.Off);

        // The tail: reserve the last blocks, compute the space maps, then write them.
        int dnodeBlocks = _mos.DnodeBlockCount;
        int dnodeIndirectBlocks = BlockTreeBuilder.CountIndirectBlocks(dnodeBlocks, pointerCount: 3);
        Tail tail = ReserveTail(spaceMapObjects.Length, dnodeBlocks + dnodeIndirectBlocks, out SpaceMap[] maps);
        WriteSpaceMaps(spaceMapObjects, maps, tail);
        WriteMetaslabArray(metaslabArray, spaceMapObjects, tail.MetaslabArray);

        // The MOS's space is what it wrote so far plus the dnode array and objset block still to come.
        SpaceUsage remaining = new(
            (dnodeBlocks + dnodeIndirectBlocks) * (long)ObjectSetWriter.DnodeBlockSize + tail.Objset.AllocatedSize,
            ((dnodeBlocks + dnodeIndirectBlocks) * (long)ObjectSetWriter.DnodeBlockSize) + ObjsetPhys.Size,
            ((dnodeBlocks + dnodeIndirectBlocks) * (long)ObjectSetWriter.DnodeBlockSize) + ObjsetPhys.Size);
        SpaceUsage mosUsage = _writer.Usage - start + remaining;
        dsl.WriteSpaceDirectories(mosUsage, content.RootObjset.Usage, content.ChildObjset?.Usage);

        // Last, the dnode array and objset block into their reserved space.
        _writer.UseReservations([.. tail.DnodeBlocks, tail.Objset]);
        BlockPointer root = _mos.Finish();
        _writer.UseReservations(null);
        Debug.Assert(_writer.Usage - start == mosUsage, "The MOS space recorded in $MOS is what the MOS wrote.");
        return (root, config);
    }

    // Reserves the tail blocks; repeats until the space map block counts match the maps they must hold.
    private Tail ReserveTail(int metaslabCount, int dnodeArrayBlocks, out SpaceMap[] maps)
    {
        int arraySize = MetaslabArraySize(metaslabCount);
        Debug.Assert(arraySize <= BlockPointer.MaxBlockSize, "The metaslab array of at most 200 metaslabs fits one block.");
        var blocksPerMap = new int[metaslabCount];
        for (int trial = 0; ; trial++)
        {
            SpaceAllocator.Checkpoint checkpoint = _allocator.Save();

            // Largest blocks first, which keeps the tail's packing tight.
            Reservation array = _writer.Reserve(arraySize);
            var dnodeBlocks = new List<Reservation>();
            for (int i = 0; i < dnodeArrayBlocks; i++)
            {
                dnodeBlocks.Add(_writer.Reserve(ObjectSetWriter.DnodeBlockSize));
            }

            var mapBlocks = new List<Reservation>[metaslabCount];
            for (int m = 0; m < metaslabCount; m++)
            {
                mapBlocks[m] = [];
                int total = blocksPerMap[m] + BlockTreeBuilder.CountIndirectBlocks(blocksPerMap[m], pointerCount: 3);
                for (int i = 0; i < blocksPerMap[m]; i++)
                {
                    mapBlocks[m].Add(_writer.Reserve(SpaceMap.BlockSize));
                }

                for (int i = blocksPerMap[m]; i < total; i++)
                {
                    mapBlocks[m].Add(_writer.Reserve(1 << Dnode.IndirectBlockShift));
                }
            }

            Reservation objset = _writer.Reserve(ObjsetPhys.Size);

            // With every block placed, the maps are final if each fits the blocks reserved for it.
            maps = SpaceMap.Build(_allocator.AllocatedExtents(), _geometry.MetaslabShift, metaslabCount, _geometry.Ashift);
            bool exact = true;
            bool fits = true;
            for (int m = 0; m < metaslabCount; m++)
            {
                exact &= maps[m].BlockCount == blocksPerMap[m];
                fits &= maps[m].BlockCount <= blocksPerMap[m];
            }

            // An exact fit is the rule; after many trials a map may keep a spare zeroed block, which is valid.
            if (exact || (fits && trial >= SpaceMapTrials / 2))
            {
                return new Tail(array, dnodeBlocks, mapBlocks, objset);
            }

            if (trial == SpaceMapTrials)
            {
                throw new InvalidOperationException("The space map sizes did not settle; this is a bug in the ZFS writer.");
            }

            _allocator.Restore(checkpoint);
            for (int m = 0; m < metaslabCount; m++)
            {
                blocksPerMap[m] = trial < SpaceMapTrials / 2 ? maps[m].BlockCount : Math.Max(blocksPerMap[m], maps[m].BlockCount);
            }
        }
    }

    // Writes each space map's entries into its reserved blocks and its dnode (bonus: object, length, allocated).
    private void WriteSpaceMaps(ulong[] objects, SpaceMap[] maps, Tail tail)
    {
        var block = new byte[SpaceMap.BlockSize];
        for (int m = 0; m < objects.Length; m++)
        {
            SpaceMap map = maps[m];
            var dnode = new Dnode
            {
                Type = DmuObjectType.SpaceMap,
                BonusType = DmuObjectType.SpaceMapHeader,
                DataBlockSize = SpaceMap.BlockSize,
                Checksum = ZioChecksum.Fletcher4,
                Compress = ZioCompress.Off,
            };
            var tree = new BlockTreeBuilder(_writer, DmuObjectType.SpaceMap, dnode.BlockPointers.Length);
            _writer.UseReservations(tail.SpaceMapBlocks[m]);
            int dataBlocks = DataBlockCount(tail.SpaceMapBlocks[m].Count);
            for (int b = 0; b < dataBlocks; b++)
            {
                Array.Clear(block);
                int first = b * (SpaceMap.BlockSize / sizeof(ulong));
                int count = Math.Max(0, Math.Min(SpaceMap.BlockSize / sizeof(ulong), map.Entries.Length - first));
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(i * sizeof(ulong)), map.Entries[first + i]);
                }

                tree.Add(_writer.Write(block, DmuObjectType.SpaceMap, level: 0, fill: 1));
            }

            tree.Finish(dnode);
            _writer.UseReservations(null);

            var bonus = new byte[SpaceMap.BonusLength];
            BinaryPrimitives.WriteUInt64LittleEndian(bonus, objects[m]);
            BinaryPrimitives.WriteUInt64LittleEndian(bonus.AsSpan(8), (ulong)map.LengthBytes);
            BinaryPrimitives.WriteUInt64LittleEndian(bonus.AsSpan(16), (ulong)map.AllocatedBytes);
            dnode.Bonus = bonus;
            _mos.SetDnode(objects[m], dnode);
        }
    }

    // The metaslab array is one block: the smallest power of two of at least 512 bytes that holds every entry.
    private static int MetaslabArraySize(int metaslabCount) =>
        (int)Math.Max(512, BitOperations.RoundUpToPowerOf2((uint)(metaslabCount * sizeof(ulong))));

    // The data blocks among a space map's reserved blocks (the rest are its indirect blocks).
    private static int DataBlockCount(int reservedBlocks)
    {
        int data = reservedBlocks;
        while (data > 0 && data + BlockTreeBuilder.CountIndirectBlocks(data, pointerCount: 3) > reservedBlocks)
        {
            data--;
        }

        return data;
    }

    // The metaslab array: the space map object of each metaslab.
    private void WriteMetaslabArray(ulong objectId, ulong[] spaceMapObjects, Reservation reservation)
    {
        var block = new byte[MetaslabArraySize(spaceMapObjects.Length)];
        for (int i = 0; i < spaceMapObjects.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(i * sizeof(ulong)), spaceMapObjects[i]);
        }

        var dnode = new Dnode { Type = DmuObjectType.ObjectArray, DataBlockSize = block.Length };
        var tree = new BlockTreeBuilder(_writer, DmuObjectType.ObjectArray, dnode.BlockPointers.Length);
        _writer.UseReservations([reservation]);
        tree.Add(_writer.Write(block, DmuObjectType.ObjectArray, level: 0, fill: 1));
        _writer.UseReservations(null);
        tree.Finish(dnode);
        _mos.SetDnode(objectId, dnode);
    }

    // The MOS copy of the config: a packed nvlist in 16 KiB blocks, its size in the bonus buffer.
    private void WriteConfigObject(ulong objectId, byte[] packed)
    {
        var dnode = new Dnode
        {
            Type = DmuObjectType.PackedNvList,
            BonusType = DmuObjectType.PackedNvListSize,
            DataBlockSize = ConfigBlockSize,
        };
        var tree = new BlockTreeBuilder(_writer, DmuObjectType.PackedNvList, dnode.BlockPointers.Length);
        var block = new byte[ConfigBlockSize];
        for (int offset = 0; offset < packed.Length; offset += ConfigBlockSize)
        {
            Array.Clear(block);
            packed.AsSpan(offset, Math.Min(ConfigBlockSize, packed.Length - offset)).CopyTo(block);
            tree.Add(_writer.Write(block, DmuObjectType.PackedNvList, level: 0, fill: 1));
        }

        tree.Finish(dnode);
        var bonus = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bonus, (ulong)packed.Length);
        dnode.Bonus = bonus;
        _mos.SetDnode(objectId, dnode);
    }

    // The three feature ZAPs: reference counts by readers' need, and the descriptions (strings, so a fat ZAP).
    // OpenZFS activates lz4_compress as soon as it is enabled (ZFEATURE_FLAG_ACTIVATE_ON_ENABLE, and
    // spa_sync_upgrades raises an enabled count of 0 to 1), so its count is 1 whether or not blocks use LZ4.
    // Nothing uses the other two features, so their count is 0.
    private void WriteFeatures(ulong forRead, ulong forWrite, ulong descriptions)
    {
        var readZap = new ZapObject(_random.NextSalt());
        var writeZap = new ZapObject(_random.NextSalt());
        var descriptionZap = new ZapObject(_random.NextSalt());
        foreach ((string guid, bool isForRead, string description) in PoolFeatures.All)
        {
            ulong references = guid == PoolFeatures.Lz4Compress ? 1UL : 0UL;
            (isForRead ? readZap : writeZap).Add(guid, references);
            descriptionZap.AddString(guid, description);
        }

        WriteZap(forRead, DmuObjectType.ZapMetadata, readZap);
        WriteZap(forWrite, DmuObjectType.ZapMetadata, writeZap);
        WriteZap(descriptions, DmuObjectType.ZapMetadata, descriptionZap);
    }

    // An empty bpobj: no blocks, a zeroed header.
    private void WriteEmptyBpobj(ulong objectId, int blockSize)
    {
        var dnode = new Dnode
        {
            Type = DmuObjectType.BpObject,
            BonusType = DmuObjectType.BpObjectHeader,
            DataBlockSize = blockSize,
            Bonus = new byte[BpobjBonusSize],
        };
        _mos.SetDnode(objectId, dnode);
    }

    private void WriteZap(ulong objectId, DmuObjectType type, ZapObject zap)
    {
        var dnode = new Dnode { Type = type };
        zap.Write(_writer, dnode);
        _mos.SetDnode(objectId, dnode);
    }

    // The space reserved for the MOS's last blocks.
    private sealed record Tail(Reservation MetaslabArray, List<Reservation> DnodeBlocks, List<Reservation>[] SpaceMapBlocks, Reservation Objset);
}

/// <summary>What the MOS describes besides itself.</summary>
internal sealed record MosContent
{
    /// <summary>Gets the pool name.</summary>
    public required string PoolName { get; init; }

    /// <summary>Gets the pool GUID.</summary>
    public required ulong PoolGuid { get; init; }

    /// <summary>Gets the disk vdev's GUID.</summary>
    public required ulong VdevGuid { get; init; }

    /// <summary>Gets the creation time of DSL objects, in seconds.</summary>
    public required long Timestamp { get; init; }

    /// <summary>Gets the root dataset's objset and space.</summary>
    public required (BlockPointer Objset, SpaceUsage Usage) RootObjset { get; init; }

    /// <summary>Gets the child dataset's objset and space, or null when the pool has no child dataset.</summary>
    public (BlockPointer Objset, SpaceUsage Usage)? ChildObjset { get; init; }

    /// <summary>Gets whether any block was stored LZ4-compressed, which makes the LZ4 feature active.</summary>
    public required bool UsedLz4 { get; init; }
}
