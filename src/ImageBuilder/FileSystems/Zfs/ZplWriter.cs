using System.Diagnostics;
using System.Text;
using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Writes a ZFS POSIX layer (ZPL version 5, system attributes) filesystem: the master node, the SA registry
/// and layouts, the delete queue and the guest tree. File data is copied one record at a time, so memory does
/// not grow with file size. Dnode blocks are written as soon as their objects are complete.
/// </summary>
internal sealed class ZplWriter
{
    /// <summary>The ZPL version written (ZPL_VERSION_SA).</summary>
    public const ulong ZplVersion = 5;

    /// <summary>The record size of multi-block files (the default recordsize, 128 KiB).</summary>
    public const int RecordSize = BlockPointer.MaxBlockSize;

    /// <summary>
    /// The levels of a filesystem's meta-dnode: enough to address 2^48 objects with 16 KiB blocks, which the
    /// kernel gives every new filesystem (dmu_objset_create_impl) so that the level never grows while mounted.
    /// </summary>
    public const int MetaDnodeLevels = 7;

    private const ulong DefaultDirectoryMode = 0x1ED; // 0755
    private const ulong DefaultFileMode = 0x1A4;      // 0644
    private const ulong SymlinkPermissions = 0x1FF;   // 0777

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly BlockWriter _writer;
    private readonly DeterministicRandom _random;
    private readonly long _timestamp;
    private readonly BlockWriteOptions _dataOptions;
    private readonly CancellationToken _cancellationToken;
    private readonly byte[] _record = new byte[RecordSize];
    private ObjectSetWriter _objects = null!;

    /// <summary>Creates a writer whose files get <paramref name="timestamp"/> as every time.</summary>
    public ZplWriter(BlockWriter writer, DeterministicRandom random, long timestamp, bool compress, CancellationToken cancellationToken)
    {
        _writer = writer;
        _random = random;
        _timestamp = timestamp;
        _dataOptions = BlockWriteOptions.ZeroIsHole | (compress ? BlockWriteOptions.Lz4 : BlockWriteOptions.None);
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Writes a filesystem holding the tree under <paramref name="root"/>, or only an empty root directory
    /// when it is null, and returns the objset's block pointer and the space of all its blocks.
    /// </summary>
    /// <exception cref="ZfsWriteException">A host file could not be read or changed size.</exception>
    /// <exception cref="PoolFullException">The pool is too small.</exception>
    public (BlockPointer Objset, SpaceUsage Usage) Write(GuestDirectory? root)
    {
        SpaceUsage start = _writer.Usage;
        _objects = new ObjectSetWriter(_writer, ObjsetType.Zfs, incremental: true, MetaDnodeLevels);

        // The master node must be object 1; the SA objects, the delete queue and the root follow.
        ulong masterNode = _objects.AllocateObject();
        ulong saMaster = _objects.AllocateObject();
        ulong saRegistry = _objects.AllocateObject();
        ulong saLayouts = _objects.AllocateObject();
        ulong deleteQueue = _objects.AllocateObject();
        ulong rootDirectory = _objects.AllocateObject();

        var master = new ZapObject(_random.NextSalt());
        master.Add("VERSION", ZplVersion);
        master.Add("SA_ATTRS", saMaster);
        master.Add("DELETE_QUEUE", deleteQueue);
        master.Add("ROOT", rootDirectory);
        master.Add("normalization", 0);
        master.Add("utf8only", 0);
        master.Add("casesensitivity", 0);
        WriteZap(masterNode, DmuObjectType.MasterNode, master);

        var saMasterZap = new ZapObject(_random.NextSalt());
        saMasterZap.Add("LAYOUTS", saLayouts);
        saMasterZap.Add("REGISTRY", saRegistry);
        WriteZap(saMaster, DmuObjectType.SystemAttributeMasterNode, saMasterZap);

        var registry = new ZapObject(_random.NextSalt());
        foreach ((string name, ushort number, int length, int swap) in SystemAttributes.Registry)
        {
            registry.Add(name, SystemAttributes.EncodeRegistration(number, length, swap));
        }

        WriteZap(saRegistry, DmuObjectType.SystemAttributeRegistration, registry);

        var layouts = new ZapObject(_random.NextSalt());
        layouts.AddArray(SystemAttributes.DefaultLayout.ToString(System.Globalization.CultureInfo.InvariantCulture), 2, [.. SystemAttributes.DefaultLayoutAttributes.Select(a => (ulong)a)]);
        layouts.AddArray(SystemAttributes.SymlinkLayout.ToString(System.Globalization.CultureInfo.InvariantCulture), 2, [.. SystemAttributes.SymlinkLayoutAttributes.Select(a => (ulong)a)]);
        WriteZap(saLayouts, DmuObjectType.SystemAttributeLayouts, layouts);

        WriteZap(deleteQueue, DmuObjectType.UnlinkedSet, new ZapObject(_random.NextSalt()));

        WriteTree(root, rootDirectory);

        BlockPointer objset = _objects.Finish();
        return (objset, _writer.Usage - start);
    }

    // Walks the tree depth-first with an explicit stack, so deep paths cannot overflow the call stack. A
    // directory is written as soon as its children have object numbers; its files follow, then its subdirectories.
    private void WriteTree(GuestDirectory? root, ulong rootObject)
    {
        var stack = new Stack<(GuestDirectory? Directory, ulong Object, ulong Parent)>();
        stack.Push((root, rootObject, rootObject));
        while (stack.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            (GuestDirectory? directory, ulong directoryObject, ulong parent) = stack.Pop();
            IReadOnlyList<GuestNode> children = directory?.Children ?? [];

            // Number the children, then write the directory itself.
            var childObjects = new ulong[children.Count];
            for (int i = 0; i < children.Count; i++)
            {
                childObjects[i] = _objects.AllocateObject();
            }

            WriteDirectory(directory, directoryObject, parent, children, childObjects);

            // Files and links now, so that the dnode blocks holding them complete early.
            for (int i = 0; i < children.Count; i++)
            {
                switch (children[i])
                {
                    case GuestFile file:
                        WriteFile(file, childObjects[i], directoryObject);
                        break;
                    case GuestSymlink link:
                        WriteSymlink(link, childObjects[i], directoryObject);
                        break;
                }
            }

            for (int i = children.Count - 1; i >= 0; i--)
            {
                if (children[i] is GuestDirectory subdirectory)
                {
                    stack.Push((subdirectory, childObjects[i], directoryObject));
                }
            }
        }
    }

    // A directory: a ZAP from each name to the child's type and object number.
    private void WriteDirectory(GuestDirectory? directory, ulong directoryObject, ulong parent, IReadOnlyList<GuestNode> children, ulong[] childObjects)
    {
        var zap = new ZapObject(_random.NextSalt());
        int subdirectories = 0;
        for (int i = 0; i < children.Count; i++)
        {
            ulong direntType = children[i] switch
            {
                GuestDirectory => Znode.DirentDirectory,
                GuestSymlink => Znode.DirentSymlink,
                _ => Znode.DirentRegular,
            };
            subdirectories += children[i] is GuestDirectory ? 1 : 0;
            zap.Add(StrictUtf8.GetBytes(children[i].Name), (direntType << 60) | childObjects[i]);
        }

        Dnode dnode = NewZnode(DmuObjectType.DirectoryContents);
        try
        {
            zap.Write(_writer, dnode);
        }
        catch (ZapTooLargeException exception)
        {
            string path = directory?.GuestPath ?? "/";
            throw new ZfsWriteException(
                new Diagnostic(ZfsDiagnosticCodes.DirectoryTooLarge, DiagnosticSeverity.Error, $"The directory '{path}' has {children.Count} entries, more than this ZFS writer can index; split it into subdirectories."),
                exception);
        }

        ulong mode = Znode.TypeDirectory | HostMode(directory?.HostPath, DefaultDirectoryMode);
        dnode.Bonus = Znode.BuildBonus(new ZnodeAttributes(mode, (ulong)children.Count + 2, _writer.BirthTxg, parent, 2 + (ulong)subdirectories, _timestamp, null));
        _objects.SetDnode(directoryObject, dnode);
    }

    // A regular file: its records in order; all-zero records become holes and trailing holes are left out.
    private void WriteFile(GuestFile file, ulong fileObject, ulong parent)
    {
        Dnode dnode = NewZnode(DmuObjectType.PlainFileContents);
        var tree = new BlockTreeBuilder(_writer, DmuObjectType.PlainFileContents, dnode.BlockPointers.Length);
        long size;
        try
        {
            using var stream = new FileStream(file.HostPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            size = stream.Length;
            if (size != file.Size)
            {
                throw HostFileChanged(file, $"it is {size} bytes, but the plan recorded {file.Size}");
            }

            // Files up to one record are a single block of whole sectors; larger ones use full records.
            int blockSize = size <= RecordSize ? (int)Math.Max(512, (size + 511) / 512 * 512) : RecordSize;
            dnode.DataBlockSize = blockSize;
            DateTime lastWrite = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
            var holes = new HoleFinder(stream.SafeFileHandle, size);
            long pendingHoles = 0;
            for (long offset = 0; offset < size; offset += blockSize)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                int length = (int)Math.Min(blockSize, size - offset);
                BlockPointer pointer = BlockPointer.Hole;
                if (!holes.IsHole(offset, length))
                {
                    stream.Position = offset;
                    ReadExactly(stream, file, _record.AsSpan(0, length), size);
                    _record.AsSpan(length, blockSize - length).Clear();
                    var source = new FileSource(stream.SafeFileHandle, offset, length, () => HostFileChanged(file, "it became shorter while its blocks were copied"));
                    pointer = _writer.Write(_record.AsSpan(0, blockSize), DmuObjectType.PlainFileContents, level: 0, fill: 1, _dataOptions, source);
                }

                if (pointer.IsHole)
                {
                    pendingHoles++;
                    continue;
                }

                for (; pendingHoles > 0; pendingHoles--)
                {
                    tree.Add(BlockPointer.Hole);
                }

                tree.Add(pointer);
            }

            stream.Position = size;
            if (stream.Read(_record.AsSpan(0, 1)) != 0)
            {
                throw HostFileChanged(file, $"it grew past the {size} bytes the plan recorded");
            }

            // Blocks may be copied from the file after this point, so check afterwards that it did not change.
            _writer.VerifySource(stream.SafeFileHandle, size, lastWrite, () => HostFileChanged(file, "its size or modification time differs after its blocks were copied"));
        }
        catch (IOException exception)
        {
            throw Unreadable(file, exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw Unreadable(file, exception);
        }

        tree.Finish(dnode);
        ulong mode = Znode.TypeRegular | HostMode(file.HostPath, DefaultFileMode);
        dnode.Bonus = Znode.BuildBonus(new ZnodeAttributes(mode, (ulong)size, _writer.BirthTxg, parent, 1, _timestamp, null));
        _objects.SetDnode(fileObject, dnode);
    }

    // A symbolic link: the target lives in the bonus buffer; the object has no data blocks.
    private void WriteSymlink(GuestSymlink link, ulong linkObject, ulong parent)
    {
        byte[] target = StrictUtf8.GetBytes(link.Target);
        Debug.Assert(target.Length <= Znode.MaxSymlinkTarget, "The writer rejected long targets before writing.");
        Dnode dnode = NewZnode(DmuObjectType.PlainFileContents);
        dnode.Bonus = Znode.BuildBonus(new ZnodeAttributes(Znode.TypeSymlink | SymlinkPermissions, (ulong)target.Length, _writer.BirthTxg, parent, 1, _timestamp, target));
        _objects.SetDnode(linkObject, dnode);
    }

    // Writes a ZAP object with no bonus buffer.
    private void WriteZap(ulong objectId, DmuObjectType type, ZapObject zap)
    {
        var dnode = new Dnode { Type = type };
        zap.Write(_writer, dnode);
        _objects.SetDnode(objectId, dnode);
    }

    // A ZPL object's dnode: one block pointer, so that the SA bonus buffer gets the room (as zfs_mknode allocates it).
    private static Dnode NewZnode(DmuObjectType type)
    {
        var dnode = new Dnode { Type = type, BonusType = DmuObjectType.SystemAttributes };
        dnode.SetBlockPointerCount(1);
        return dnode;
    }

    // Reads exactly destination.Length bytes, or reports that the file shrank.
    private static void ReadExactly(FileStream stream, GuestFile file, Span<byte> destination, long expectedSize)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int read = stream.Read(destination[done..]);
            if (read == 0)
            {
                throw HostFileChanged(file, $"it ended after {stream.Position} of the {expectedSize} bytes the plan recorded");
            }

            done += read;
        }
    }

    // The permission bits of the host file or directory, or a default when there is none or it cannot be read.
    private static ulong HostMode(string? hostPath, ulong fallback)
    {
        if (hostPath is null || OperatingSystem.IsWindows())
        {
            return fallback;
        }

        try
        {
            return (ulong)File.GetUnixFileMode(hostPath) & 0xFFF;
        }
        catch (IOException)
        {
            return fallback;
        }
        catch (UnauthorizedAccessException)
        {
            return fallback;
        }
    }

    // The error for a file whose size or content no longer matches the plan; detail describes the change.
    private static ZfsWriteException HostFileChanged(GuestFile file, string detail) => new(new Diagnostic(
        ZfsDiagnosticCodes.HostFileChanged,
        DiagnosticSeverity.Error,
        $"The host file '{file.HostPath}' for '{file.GuestPath}' changed while the image was built: {detail}. Build again once it no longer changes.",
        file.Origin));

    private static ZfsWriteException Unreadable(GuestFile file, Exception exception) => new(
        new Diagnostic(
            ZfsDiagnosticCodes.HostFileUnreadable,
            DiagnosticSeverity.Error,
            $"The host file '{file.HostPath}' for '{file.GuestPath}' could not be read: {exception.Message}",
            file.Origin),
        exception);
}
