using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Writes an <see cref="ImagePlan"/> as a ZFS pool that OSv's in-kernel ZFS imports and mounts on <c>/</c>:
/// one disk vdev, pool version 5000 with only the features OSv's port supports (async_destroy, empty_bpobj,
/// lz4_compress), a ZPL filesystem with system attributes, fletcher4 checksums and one-word space maps. No
/// VM, kernel module or root rights are needed, and the same plan and options give the same bytes.
/// </summary>
/// <remarks>
/// Every block is stamped with txg 4 and the uberblock with txg 8, so that importing does not re-verify the
/// whole pool (blocks born in the last three txgs are re-read on import by OpenZFS and OSv alike).
/// </remarks>
public sealed class ZfsWriter : IFileSystemWriter
{
    /// <summary>The txg of every block, the config and the vdev's creation.</summary>
    internal const ulong BlockTxg = 4;

    /// <summary>The txg of the uberblock: later than the blocks, so that import skips verifying them.</summary>
    internal const ulong UberblockTxg = BlockTxg + 4;

    private const long MosReserveBase = 2L << 20;
    private const long MosReservePerMetaslab = 8L << 10;
    private const long MinimumFreeSpace = 32L << 20;
    private const int MaxNameBytes = 255;
    private const int MaxPoolNameLength = 255;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly string[] ReservedPoolNames = ["mirror", "raidz", "draid", "spare", "log"];

    private readonly ZfsWriterOptions _options;

    /// <summary>Creates a writer with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public ZfsWriter(ZfsWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Creates a writer with the default options: pool <c>osv</c>, files in the root dataset, no compression, ashift 9.</summary>
    public ZfsWriter()
        : this(new ZfsWriterOptions())
    {
    }

    /// <inheritdoc/>
    public FileSystemKind Kind => FileSystemKind.Zfs;

    /// <summary>
    /// Writes the pool for <paramref name="plan"/> into <paramref name="destination"/>. When
    /// <see cref="FileSystemWriteOptions.PartitionSize"/> is null the pool is sized for the content plus a
    /// quarter of it (at least 32 MiB) of free space, rounded to whole metaslabs and at least 64 MiB.
    /// </summary>
    /// <returns>
    /// The number of bytes of the partition, or -1 when errors were reported. After an error a stream that was
    /// empty is emptied again, and no labels are written, so no partial pool can be imported.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable and seekable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">Writing to <paramref name="destination"/> failed.</exception>
    public long Write(ImagePlan plan, Stream destination, FileSystemWriteOptions options, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (!destination.CanWrite || !destination.CanSeek)
        {
            throw new ArgumentException("The destination stream must be writable and seekable.", nameof(destination));
        }

        // Check the options and the plan before writing anything.
        int errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        CheckOptions(options, diagnostics);
        CheckPlan(plan, diagnostics);
        if (diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error) > errors)
        {
            return -1;
        }

        long initialLength = destination.Length;
        try
        {
            return WritePool(plan, destination, options, initialLength, cancellationToken);
        }
        catch (ZfsWriteException exception)
        {
            Discard(destination, initialLength);
            diagnostics.Add(exception.Diagnostic);
            return -1;
        }
        catch (PoolFullException exception)
        {
            Discard(destination, initialLength);
            string size = options.PartitionSize is { } fixedSize ? $"{fixedSize} bytes" : "the chosen size";
            diagnostics.Error(
                ZfsDiagnosticCodes.PartitionTooSmall,
                $"The ZFS pool does not fit in a partition of {size}: its blocks need at least {exception.RequiredBytes + PoolGeometry.AllocatableStart + PoolGeometry.LabelEndSize} bytes plus room for the pool's metadata. Give the partition more space or leave its size open.");
            return -1;
        }
    }

    // The steps of a write: filesystems, pool size, MOS, labels.
    private long WritePool(ImagePlan plan, Stream destination, FileSystemWriteOptions options, long initialLength, CancellationToken cancellationToken)
    {
        int ashift = _options.Ashift;
        var random = new DeterministicRandom(_options.Seed ?? DeriveSeed(plan));
        ulong poolGuid = random.NextGuid();
        ulong vdevGuid = random.NextGuid();

        // With a fixed size, leave room for the MOS so that a pool too small fails before the data is copied.
        PoolGeometry? fixedGeometry = options.PartitionSize is { } partitionSize ? PoolGeometry.ForPartition(partitionSize, ashift) : null;
        long capacity = fixedGeometry is null
            ? long.MaxValue
            : Math.Max(0, fixedGeometry.UsableSize - MosReserve(fixedGeometry.MetaslabCount));
        var allocator = new SpaceAllocator(ashift, capacity);
        using var device = new WriteBehindDevice(destination);
        var writer = new BlockWriter(device, allocator, ashift, BlockTxg);

        // The filesystems: the files go to the dataset the target kernel mounts.
        bool compress = _options.Compression == ZfsCompression.Lz4;
        var zpl = new ZplWriter(writer, random, options.Timestamp, compress, cancellationToken);
        (BlockPointer, SpaceUsage) rootObjset;
        (BlockPointer, SpaceUsage)? childObjset = null;
        if (_options.DatasetLayout == ZfsDatasetLayout.ChildDataset)
        {
            rootObjset = zpl.Write(null);
            childObjset = zpl.Write(plan.Root);
        }
        else
        {
            rootObjset = zpl.Write(plan.Root);
        }

        // The pool's size: fixed, or what the content needs plus free space.
        PoolGeometry geometry = fixedGeometry ?? PoolGeometry.ForContent(
            allocator.HighWater + MosReserve(PoolGeometry.TargetMetaslabCount) + Math.Max(MinimumFreeSpace, allocator.HighWater / 4),
            ashift);
        allocator.Capacity = geometry.UsableSize;

        // The MOS, then the labels that point at it.
        var mos = new MosWriter(writer, allocator, geometry, random);
        (BlockPointer mosPointer, PoolConfig config) = mos.Write(new MosContent
        {
            PoolName = _options.PoolName,
            PoolGuid = poolGuid,
            VdevGuid = vdevGuid,
            Timestamp = options.Timestamp,
            RootObjset = rootObjset,
            ChildObjset = childObjset,
            UsedLz4 = writer.UsedLz4,
        });
        device.Complete();

        if (destination.Length < geometry.PartitionSize)
        {
            destination.SetLength(geometry.PartitionSize);
        }

        var uberblock = new Uberblock
        {
            Version = PoolConfig.Version,
            Txg = UberblockTxg,
            GuidSum = config.GuidSum,
            Timestamp = (ulong)Math.Max(0, options.Timestamp),
            RootBlockPointer = mosPointer,
        };
        VdevLabel.WriteAll(destination, geometry, NvListXdr.Encode(config.ForLabel()), uberblock);
        if (initialLength > 0)
        {
            ZeroUnusedSpace(destination, geometry, allocator.AllocatedExtents(), Math.Min(initialLength, geometry.PartitionSize));
        }

        destination.Flush();
        return geometry.PartitionSize;
    }

    // Drops what a failed write left in a stream that was empty, so that no half-written pool remains. A stream
    // that had content keeps the blocks written so far but no labels, so no importer accepts it.
    private static void Discard(Stream destination, long initialLength)
    {
        if (initialLength == 0)
        {
            destination.SetLength(0);
        }
    }

    // An upper estimate of the MOS: fixed objects and dnode blocks, plus a space map block and its share of
    // the dnode array per metaslab.
    private static long MosReserve(long metaslabCount) => MosReserveBase + (metaslabCount * MosReservePerMetaslab);

    // Zeroes the bytes that neither labels nor blocks cover, so that a reused stream gives the same bytes as a new one.
    private static void ZeroUnusedSpace(Stream destination, PoolGeometry geometry, List<Extent> allocations, long limit)
    {
        var used = new List<Extent>();
        for (int i = 0; i < PoolGeometry.LabelCount; i++)
        {
            used.Add(new Extent(geometry.LabelOffset(i), PoolGeometry.LabelSize));
        }

        used.AddRange(allocations.Select(a => a with { Offset = a.Offset + PoolGeometry.AllocatableStart }));
        used.Sort((x, y) => x.Offset.CompareTo(y.Offset));

        var zeros = new byte[1 << 20];
        long position = 0;
        foreach (Extent extent in used.Append(new Extent(limit, 0)))
        {
            for (long gap = position; gap < Math.Min(extent.Offset, limit); gap += zeros.Length)
            {
                destination.Position = gap;
                destination.Write(zeros, 0, (int)Math.Min(zeros.Length, Math.Min(extent.Offset, limit) - gap));
            }

            position = Math.Max(position, extent.End);
        }
    }

    // A seed from the pool name, the layout and every node's path, kind, size or target.
    private ulong DeriveSeed(ImagePlan plan)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{_options.PoolName}\n{_options.DatasetLayout}\n"));
        foreach (GuestNode node in plan.Walk())
        {
            string line = node switch
            {
                GuestFile file => $"f {file.GuestPath} {file.Size}\n",
                GuestSymlink link => $"l {link.GuestPath} {link.Target}\n",
                _ => $"d {node.GuestPath}\n",
            };
            hash.AppendData(Encoding.UTF8.GetBytes(line));
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(hash.GetHashAndReset());
    }

    // Reports options out of range.
    private void CheckOptions(FileSystemWriteOptions options, DiagnosticBag diagnostics)
    {
        if (_options.Ashift is not (9 or 12))
        {
            diagnostics.Error(ZfsDiagnosticCodes.InvalidOption, $"The ZFS ashift {_options.Ashift} is not supported; use 9 (512-byte sectors) or 12 (4 KiB sectors).");
        }

        string name = _options.PoolName ?? string.Empty;
        bool validName = name.Length is > 0 and <= MaxPoolNameLength
            && char.IsAsciiLetter(name[0])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':')
            && !ReservedPoolNames.Any(r => name.StartsWith(r, StringComparison.Ordinal));
        if (!validName)
        {
            diagnostics.Error(ZfsDiagnosticCodes.InvalidOption, $"The ZFS pool name '{name}' is invalid; start it with a letter, use only letters, digits, '_', '-', '.' and ':', and do not start it with mirror, raidz, draid, spare or log.");
        }

        if (options.PartitionSize is { } size && size < PoolGeometry.MinimumSize)
        {
            diagnostics.Error(ZfsDiagnosticCodes.PartitionTooSmall, $"The partition of {size} bytes is smaller than the 64 MiB a ZFS pool needs; give it at least {PoolGeometry.MinimumSize} bytes.");
        }
    }

    // Reports names and link targets that a ZPL filesystem cannot hold.
    private static void CheckPlan(ImagePlan plan, DiagnosticBag diagnostics)
    {
        foreach (GuestNode node in plan.Walk())
        {
            if (node.Parent is null)
            {
                continue;
            }

            if (!TryEncode(node.Name, out int nameBytes))
            {
                diagnostics.Error(ZfsDiagnosticCodes.InvalidText, $"The name of '{node.GuestPath}' is not valid Unicode and cannot be stored as UTF-8; rename it.", node.Origin);
            }
            else if (nameBytes > MaxNameBytes)
            {
                diagnostics.Error(ZfsDiagnosticCodes.NameTooLong, $"The name of '{node.GuestPath}' is {nameBytes} bytes in UTF-8; ZFS names hold at most {MaxNameBytes}. Shorten it.", node.Origin);
            }

            if (node is GuestSymlink link)
            {
                if (!TryEncode(link.Target, out int targetBytes))
                {
                    diagnostics.Error(ZfsDiagnosticCodes.InvalidText, $"The target of the link '{link.GuestPath}' is not valid Unicode and cannot be stored as UTF-8; fix it.", link.Origin);
                }
                else if (targetBytes > Znode.MaxSymlinkTarget)
                {
                    diagnostics.Error(ZfsDiagnosticCodes.SymlinkTargetTooLong, $"The target of the link '{link.GuestPath}' is {targetBytes} bytes; this ZFS writer stores at most {Znode.MaxSymlinkTarget} (longer ones need a spill block). Shorten the target, for example with a relative path.", link.Origin);
                }
            }
        }
    }

    private static bool TryEncode(string text, out int byteCount)
    {
        try
        {
            byteCount = StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            byteCount = 0;
            return false;
        }
    }
}
