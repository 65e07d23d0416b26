using System.Globalization;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Writes the dataset and snapshot layer (DSL) of the MOS, the tree that a version-5000 pool needs and that
/// both OpenZFS and OSv's dsl_pool_open walk:
/// <code>
/// root dir (pool name) — head: root dataset; children: $MOS, $FREE, $ORIGIN [, zfs]
///   $ORIGIN dir — head: $ORIGIN dataset, whose snapshot $ORIGIN@$ORIGIN every filesystem is a clone of
///   zfs dir    — head: the child dataset (ChildDataset layout only)
/// </code>
/// Each directory has a properties ZAP and a child-directory ZAP, and each dataset has a deadlist. The clones
/// are listed in the snapshot's next-clones ZAP and in the $ORIGIN directory's clones ZAP, as the kernel's
/// dsl_dataset_create_sync_dd records them.
/// </summary>
internal sealed class DslWriter
{
    /// <summary>The txg that DSL objects are created in, as an Illumos kernel creates them in a new pool.</summary>
    public const ulong CreationTxg = 1;

    private const int DeadlistHeaderSize = 320;
    private const string ChildDatasetName = "zfs";

    private readonly ObjectSetWriter _mos;
    private readonly BlockWriter _writer;
    private readonly DeterministicRandom _random;
    private readonly ulong _timestamp;
    private readonly Directory _root;
    private readonly Directory _mosDirectory;
    private readonly Directory _freeDirectory;
    private readonly Directory _originDirectory;
    private readonly Directory? _childDirectory;
    private readonly Dataset _rootDataset;
    private readonly Dataset _originDataset;
    private readonly Dataset _originSnapshot;
    private readonly Dataset? _childDataset;
    private readonly ulong _originClonesZap;
    private readonly ulong _snapshotNextClonesZap;

    /// <summary>Numbers every DSL object in the MOS; nothing is written yet.</summary>
    public DslWriter(ObjectSetWriter mos, BlockWriter writer, DeterministicRandom random, long timestamp, bool withChildDataset)
    {
        _mos = mos;
        _writer = writer;
        _random = random;
        _timestamp = (ulong)timestamp;

        _root = NewDirectory();
        _rootDataset = NewDataset(withSnapshotNames: true);
        _mosDirectory = NewDirectory();
        _freeDirectory = NewDirectory();
        _originDirectory = NewDirectory();
        _originClonesZap = mos.AllocateObject();
        _originDataset = NewDataset(withSnapshotNames: true);
        _originSnapshot = NewDataset(withSnapshotNames: false);
        _snapshotNextClonesZap = mos.AllocateObject();
        if (withChildDataset)
        {
            _childDirectory = NewDirectory();
            _childDataset = NewDataset(withSnapshotNames: true);
        }
    }

    /// <summary>Gets the root DSL directory's object, the MOS directory's <c>root_dataset</c>.</summary>
    public ulong RootDirectoryObject => _root.Object;

    /// <summary>
    /// Writes every DSL object but the root and $MOS directories, whose space is known only when the MOS is
    /// complete. <paramref name="rootObjset"/> and <paramref name="childObjset"/> are the filesystems' objsets.
    /// </summary>
    public void WriteDatasets((BlockPointer Objset, SpaceUsage Usage) rootObjset, (BlockPointer Objset, SpaceUsage Usage)? childObjset, ZioCompress compression)
    {
        // The clones of $ORIGIN@$ORIGIN, keyed by their object number in hex (zap_add_int).
        List<Dataset> clones = [_rootDataset];
        if (_childDataset is not null)
        {
            clones.Add(_childDataset);
        }

        var originClones = new ZapObject(_random.NextSalt());
        var nextClones = new ZapObject(_random.NextSalt());
        foreach (Dataset clone in clones)
        {
            string key = clone.Object.ToString("x", CultureInfo.InvariantCulture);
            originClones.Add(key, clone.Object);
            nextClones.Add(key, clone.Object);
        }

        WriteZap(_originClonesZap, DmuObjectType.DslClones, originClones);
        WriteZap(_snapshotNextClonesZap, DmuObjectType.NextClones, nextClones);

        // Directory ZAPs: the root's children and properties; the others are empty.
        var rootChildren = new ZapObject(_random.NextSalt());
        rootChildren.Add("$MOS", _mosDirectory.Object);
        rootChildren.Add("$FREE", _freeDirectory.Object);
        rootChildren.Add("$ORIGIN", _originDirectory.Object);
        if (_childDirectory is not null)
        {
            rootChildren.Add(ChildDatasetName, _childDirectory.Object);
        }

        var rootProperties = new ZapObject(_random.NextSalt());
        rootProperties.Add("compression", (ulong)compression);
        WriteZap(_root.ChildMap, DmuObjectType.DslDirChildMap, rootChildren);
        WriteZap(_root.Properties, DmuObjectType.DslProps, rootProperties);
        foreach (Directory directory in OtherDirectories())
        {
            WriteZap(directory.ChildMap, DmuObjectType.DslDirChildMap, new ZapObject(_random.NextSalt()));
            WriteZap(directory.Properties, DmuObjectType.DslProps, new ZapObject(_random.NextSalt()));
        }

        // $ORIGIN's snapshot names, empty ones for the filesystems, and a deadlist for every dataset.
        var originNames = new ZapObject(_random.NextSalt());
        originNames.Add("$ORIGIN", _originSnapshot.Object);
        WriteZap(_originDataset.SnapshotNames, DmuObjectType.DslDatasetSnapshotMap, originNames);
        WriteZap(_rootDataset.SnapshotNames, DmuObjectType.DslDatasetSnapshotMap, new ZapObject(_random.NextSalt()));
        if (_childDataset is not null)
        {
            WriteZap(_childDataset.SnapshotNames, DmuObjectType.DslDatasetSnapshotMap, new ZapObject(_random.NextSalt()));
        }

        foreach (Dataset dataset in AllDatasets())
        {
            WriteDeadlist(dataset.Deadlist);
        }

        // The datasets themselves.
        WriteDataset(_originDataset, new DslDatasetPhys
        {
            Directory = _originDirectory.Object,
            PreviousSnapshot = _originSnapshot.Object,
            PreviousSnapshotTxg = CreationTxg,
            SnapshotNamesZap = _originDataset.SnapshotNames,
            Objset = BlockPointer.Hole,
        });
        WriteDataset(_originSnapshot, new DslDatasetPhys
        {
            Directory = _originDirectory.Object,
            NextSnapshot = _originDataset.Object,
            ChildCount = 1 + (ulong)clones.Count,
            NextClones = _snapshotNextClonesZap,
            Objset = BlockPointer.Hole,
        });
        WriteFilesystemDataset(_rootDataset, _root, rootObjset);
        if (_childDataset is not null && _childDirectory is not null && childObjset is { } child)
        {
            WriteFilesystemDataset(_childDataset, _childDirectory, child);
        }

        // The directories whose space does not depend on the MOS.
        WriteDirectory(_freeDirectory, new DslDirPhys { Parent = _root.Object });
        WriteDirectory(_originDirectory, new DslDirPhys { Parent = _root.Object, HeadDataset = _originDataset.Object, Clones = _originClonesZap });
        if (_childDirectory is not null && _childDataset is not null && childObjset is { } childSpace)
        {
            WriteDirectory(_childDirectory, new DslDirPhys
            {
                Parent = _root.Object,
                HeadDataset = _childDataset.Object,
                Origin = _originSnapshot.Object,
                Head = childSpace.Usage,
            });
        }
    }

    /// <summary>
    /// Writes the $MOS and root directories once the MOS's own space is known: $MOS holds the MOS blocks, the
    /// root's head is the root dataset and its children are $MOS and the child filesystem.
    /// </summary>
    public void WriteSpaceDirectories(SpaceUsage mosUsage, SpaceUsage rootUsage, SpaceUsage? childUsage)
    {
        WriteDirectory(_mosDirectory, new DslDirPhys { Parent = _root.Object, Head = mosUsage });
        WriteDirectory(_root, new DslDirPhys
        {
            HeadDataset = _rootDataset.Object,
            Origin = _originSnapshot.Object,
            Head = rootUsage,
            Children = mosUsage + (childUsage ?? default),
        });
    }

    private IEnumerable<Directory> OtherDirectories()
    {
        yield return _mosDirectory;
        yield return _freeDirectory;
        yield return _originDirectory;
        if (_childDirectory is not null)
        {
            yield return _childDirectory;
        }
    }

    private IEnumerable<Dataset> AllDatasets()
    {
        yield return _rootDataset;
        yield return _originDataset;
        yield return _originSnapshot;
        if (_childDataset is not null)
        {
            yield return _childDataset;
        }
    }

    // A filesystem: a clone of $ORIGIN@$ORIGIN whose objset contains the files.
    private void WriteFilesystemDataset(Dataset dataset, Directory directory, (BlockPointer Objset, SpaceUsage Usage) content) =>
        WriteDataset(dataset, new DslDatasetPhys
        {
            Directory = directory.Object,
            PreviousSnapshot = _originSnapshot.Object,
            PreviousSnapshotTxg = CreationTxg,
            SnapshotNamesZap = dataset.SnapshotNames,
            Objset = content.Objset,
            Referenced = content.Usage,
        });

    private void WriteDataset(Dataset dataset, DslDatasetPhys phys)
    {
        phys.Deadlist = dataset.Deadlist;
        phys.CreationTime = _timestamp;
        phys.CreationTxg = CreationTxg;
        phys.Guid = _random.NextGuid();
        phys.FsidGuid = _random.NextGuid();
        var dnode = new Dnode { Type = DmuObjectType.DslDataset, BonusType = DmuObjectType.DslDataset, Bonus = phys.ToBytes() };
        dnode.SetBlockPointerCount(1);
        _mos.SetDnode(dataset.Object, dnode);
    }

    private void WriteDirectory(Directory directory, DslDirPhys phys)
    {
        phys.CreationTime = _timestamp;
        phys.ChildDirectoryZap = directory.ChildMap;
        phys.PropertiesZap = directory.Properties;
        var dnode = new Dnode { Type = DmuObjectType.DslDir, BonusType = DmuObjectType.DslDir, Bonus = phys.ToBytes() };
        dnode.SetBlockPointerCount(1);
        _mos.SetDnode(directory.Object, dnode);
    }

    // An empty deadlist: a ZAP of snapshot txgs to bpobjs, with a zeroed header in its bonus buffer.
    private void WriteDeadlist(ulong objectId)
    {
        var dnode = new Dnode { Type = DmuObjectType.Deadlist, BonusType = DmuObjectType.DeadlistHeader, Bonus = new byte[DeadlistHeaderSize] };
        dnode.SetBlockPointerCount(1);
        new ZapObject(_random.NextSalt()).Write(_writer, dnode);
        _mos.SetDnode(objectId, dnode);
    }

    private void WriteZap(ulong objectId, DmuObjectType type, ZapObject zap)
    {
        var dnode = new Dnode { Type = type };
        zap.Write(_writer, dnode);
        _mos.SetDnode(objectId, dnode);
    }

    private Directory NewDirectory() => new(_mos.AllocateObject(), _mos.AllocateObject(), _mos.AllocateObject());

    private Dataset NewDataset(bool withSnapshotNames) =>
        new(_mos.AllocateObject(), _mos.AllocateObject(), withSnapshotNames ? _mos.AllocateObject() : 0);

    // The objects of one DSL directory: itself, its properties ZAP and its child-directory ZAP.
    private sealed record Directory(ulong Object, ulong Properties, ulong ChildMap);

    // The objects of one dataset: itself, its deadlist and (for non-snapshots) its snapshot-names ZAP.
    private sealed record Dataset(ulong Object, ulong Deadlist, ulong SnapshotNames);
}
