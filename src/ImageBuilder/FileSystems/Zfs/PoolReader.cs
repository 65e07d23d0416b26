using System.IO.Compression;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Reads a pool from a partition's bytes: picks a valid label and the newest valid uberblock, and reads
/// blocks with their checksum verified and their compression undone. Every size and offset is checked
/// against the partition before it is used.
/// </summary>
internal sealed class PoolReader
{
    private const int MaxCachedBlocks = 256;

    private readonly Stream _stream;
    private readonly long _allocatableEnd;
    private readonly Dictionary<long, byte[]> _metadataCache = [];
    private readonly bool _verifyChecksums;

    private PoolReader(Stream stream, NvList config, Uberblock uberblock, int ashift, long allocatableEnd, bool verifyChecksums)
    {
        _verifyChecksums = verifyChecksums;
        _stream = stream;
        Config = config;
        Uberblock = uberblock;
        Ashift = ashift;
        _allocatableEnd = allocatableEnd;
    }

    /// <summary>Gets the label configuration that was used.</summary>
    public NvList Config { get; }

    /// <summary>Gets the uberblock that was used.</summary>
    public Uberblock Uberblock { get; }

    /// <summary>Gets the vdev's sector size as a shift.</summary>
    public int Ashift { get; }

    /// <summary>Gets the pool name from the label.</summary>
    public string PoolName => Config.FindString("name") ?? string.Empty;

    /// <summary>Opens the pool: the first label with a valid config, then the newest valid uberblock of any label.</summary>
    /// <param name="stream">The partition.</param>
    /// <param name="verifyChecksums">Whether block checksums are verified; tests turn it off to reach the parsers with damaged bytes.</param>
    /// <exception cref="InvalidImageException">No label or uberblock is valid.</exception>
    public static PoolReader Open(Stream stream, bool verifyChecksums = true)
    {
        long length = stream.Length;
        if (length < PoolGeometry.AllocatableStart + PoolGeometry.LabelEndSize)
        {
            throw new InvalidImageException($"The partition is {length} bytes, too small for a ZFS pool (at least {PoolGeometry.AllocatableStart + PoolGeometry.LabelEndSize} bytes hold its labels).");
        }

        var geometry = new PoolGeometry { PartitionSize = length, Ashift = 9, MetaslabShift = PoolGeometry.MinimumMetaslabShift };
        NvList? config = null;
        var problems = new List<string>();
        Uberblock? best = null;
        int ashift = 9;
        var label = new byte[PoolGeometry.LabelSize];
        for (int index = 0; index < PoolGeometry.LabelCount; index++)
        {
            long labelOffset = geometry.LabelOffset(index);
            ReadExactly(stream, labelOffset, label);

            // The config region must carry a valid checksum and a decodable nvlist.
            ReadOnlySpan<byte> configRegion = label.AsSpan(VdevLabel.NvListOffset, VdevLabel.NvListRegionSize);
            if (!EmbeddedChecksum.Verify(configRegion, labelOffset + VdevLabel.NvListOffset))
            {
                problems.Add($"label {index}: the config checksum does not match");
                continue;
            }

            NvList labelConfig;
            try
            {
                labelConfig = NvListXdr.Decode(configRegion[..VdevLabel.MaxNvListSize]);
            }
            catch (InvalidImageException exception)
            {
                problems.Add($"label {index}: {exception.Message}");
                continue;
            }

            ulong? labelAshift = labelConfig.FindList("vdev_tree")?.FindUInt64("ashift");
            if (labelAshift is not (>= 9 and <= 16))
            {
                problems.Add($"label {index}: the vdev_tree has no valid ashift ({labelAshift?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"})");
                continue;
            }

            config ??= labelConfig;
            ashift = (int)labelAshift.Value;

            // Every sealed slot of the ring is a candidate; the highest txg wins.
            int slotSize = VdevLabel.UberblockSlotSize(ashift);
            for (int slot = 0; slot < VdevLabel.UberblockRingSize / slotSize; slot++)
            {
                int slotOffset = VdevLabel.UberblockRingOffset + (slot * slotSize);
                ReadOnlySpan<byte> region = label.AsSpan(slotOffset, slotSize);
                Uberblock? candidate = Uberblock.Read(region);
                if (candidate is null || !EmbeddedChecksum.Verify(region, labelOffset + slotOffset))
                {
                    continue;
                }

                if (candidate.Version is 0 or > PoolConfig.Version || (candidate.Version > 28 && candidate.Version < PoolConfig.Version))
                {
                    continue;
                }

                if (best is null || candidate.Txg > best.Txg)
                {
                    best = candidate;
                }
            }
        }

        if (config is null)
        {
            throw new InvalidImageException($"No ZFS label has a valid config: {string.Join("; ", problems)}.");
        }

        if (best is null)
        {
            throw new InvalidImageException("No ZFS label has a valid uberblock (magic 0x00bab10c with a matching checksum).");
        }

        long allocatableEnd = geometry.LabelAlignedSize - PoolGeometry.LabelEndSize;
        return new PoolReader(stream, config, best, ashift, allocatableEnd, verifyChecksums);
    }

    /// <summary>
    /// Reads the block <paramref name="pointer"/> names and returns its logical bytes; a hole gives zeros.
    /// </summary>
    /// <param name="pointer">The block pointer.</param>
    /// <param name="what">What the block is, for error messages (for example "object 12 level 0 block 3").</param>
    /// <exception cref="InvalidImageException">The pointer is out of bounds or unsupported, or the checksum or decompression fails.</exception>
    public byte[] ReadBlock(BlockPointer pointer, string what)
    {
        if (pointer.IsHole)
        {
            return pointer.LogicalSize > 0 ? new byte[pointer.LogicalSize] : [];
        }

        CheckPointer(pointer, what);
        bool cacheable = pointer.Level > 0 || pointer.Type != DmuObjectType.PlainFileContents;
        if (cacheable && _metadataCache.TryGetValue(pointer.Offset, out byte[]? cached) && cached.Length == pointer.LogicalSize)
        {
            return cached;
        }

        // Read the physical bytes and check them before anything interprets them.
        var physical = new byte[pointer.PhysicalSize];
        long position = PoolGeometry.AllocatableStart + pointer.Offset;
        ReadExactly(_stream, position, physical);
        ZioChecksumValue? actual = BlockChecksum.Compute(pointer.ChecksumType, physical);
        if (actual is null)
        {
            throw new InvalidImageException($"The {what} uses checksum function {(int)pointer.ChecksumType}, which this reader does not support ({pointer}).");
        }

        if (_verifyChecksums && actual.Value != pointer.Checksum)
        {
            throw new InvalidImageException($"The {what} at vdev offset 0x{position:x} fails its checksum: expected {pointer.Checksum}, computed {actual.Value} ({pointer}).");
        }

        byte[] logical = Decompress(pointer, physical, what);
        if (cacheable)
        {
            if (_metadataCache.Count >= MaxCachedBlocks)
            {
                _metadataCache.Clear();
            }

            _metadataCache[pointer.Offset] = logical;
        }

        return logical;
    }

    // Rejects pointers that this pool layout cannot hold.
    private void CheckPointer(BlockPointer pointer, string what)
    {
        if (pointer.IsEmbedded)
        {
            throw new InvalidImageException($"The {what} is an embedded-data block pointer, which this reader does not support ({pointer}).");
        }

        if (pointer.IsGang)
        {
            throw new InvalidImageException($"The {what} is a gang block, which this reader does not support ({pointer}).");
        }

        if (pointer.VdevId != 0)
        {
            throw new InvalidImageException($"The {what} points at vdev {pointer.VdevId}, but the pool has one vdev ({pointer}).");
        }

        if (pointer.LogicalSize > BlockPointer.MaxBlockSize || (pointer.PhysicalSize > pointer.LogicalSize && pointer.Compression != ZioCompress.Off))
        {
            throw new InvalidImageException($"The {what} has sizes {pointer.LogicalSize}/{pointer.PhysicalSize}, outside ZFS's 128 KiB block limit ({pointer}).");
        }

        if (pointer.PhysicalSize > BlockPointer.MaxBlockSize || pointer.AllocatedSize < pointer.PhysicalSize || pointer.Offset < 0
            || PoolGeometry.AllocatableStart + pointer.Offset + pointer.AllocatedSize > _allocatableEnd)
        {
            throw new InvalidImageException($"The {what} at offset 0x{pointer.Offset:x} with {pointer.AllocatedSize} allocated bytes lies outside the pool's allocatable area ({pointer}).");
        }
    }

    // Undoes the block's compression; the result is exactly the logical size.
    private static byte[] Decompress(BlockPointer pointer, byte[] physical, string what)
    {
        if (pointer.Compression is ZioCompress.Off or ZioCompress.Inherit)
        {
            if (physical.Length != pointer.LogicalSize)
            {
                throw new InvalidImageException($"The uncompressed {what} has physical size {pointer.PhysicalSize} but logical size {pointer.LogicalSize} ({pointer}).");
            }

            return physical;
        }

        var logical = new byte[pointer.LogicalSize];
        bool ok = (int)pointer.Compression switch
        {
            (int)ZioCompress.Lz4 => Lz4Block.TryDecompress(physical, logical),
            (int)ZioCompress.Lzjb or (int)ZioCompress.On => Lzjb.TryDecompress(physical, logical),
            >= 5 and <= 13 => TryInflate(physical, logical),
            14 => TryZeroLengthDecode(physical, logical),
            (int)ZioCompress.Empty => true,
            _ => throw new InvalidImageException($"The {what} uses compression function {(int)pointer.Compression}, which this reader does not support ({pointer})."),
        };
        if (!ok)
        {
            throw new InvalidImageException($"The {what} does not decompress to its logical size of {pointer.LogicalSize} bytes ({pointer}).");
        }

        return logical;
    }

    // gzip-1 to gzip-9 blocks are zlib streams.
    private static bool TryInflate(byte[] physical, byte[] logical)
    {
        try
        {
            using var input = new MemoryStream(physical);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            zlib.ReadExactly(logical);
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    // ZLE: runs of zeros and literal bytes (zle.c, with the default threshold of 64).
    private static bool TryZeroLengthDecode(byte[] physical, byte[] logical)
    {
        const int threshold = 64;
        int input = 0;
        int output = 0;
        while (output < logical.Length)
        {
            if (input >= physical.Length)
            {
                return false;
            }

            int length = 1 + physical[input++];
            if (length <= threshold)
            {
                if (input + length > physical.Length || output + length > logical.Length)
                {
                    return false;
                }

                physical.AsSpan(input, length).CopyTo(logical.AsSpan(output));
                input += length;
            }
            else
            {
                length -= threshold;
                if (output + length > logical.Length)
                {
                    return false;
                }
            }

            output += length;
        }

        return true;
    }

    // Reads exactly buffer.Length bytes at position, or reports the partition as truncated.
    private static void ReadExactly(Stream stream, long position, Span<byte> buffer)
    {
        if (position < 0 || position + buffer.Length > stream.Length)
        {
            throw new InvalidImageException($"The partition ends at byte {stream.Length}, before the {buffer.Length} bytes at byte {position}.");
        }

        stream.Position = position;
        int done = 0;
        while (done < buffer.Length)
        {
            int read = stream.Read(buffer[done..]);
            if (read == 0)
            {
                throw new InvalidImageException($"The partition ended after {position + done} bytes, while {buffer.Length} bytes at byte {position} were expected.");
            }

            done += read;
        }
    }
}
