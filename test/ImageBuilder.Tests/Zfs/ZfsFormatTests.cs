using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>The on-disk encodings the writer and reader share: checksums, nvlists, space maps, geometry, block trees.</summary>
public sealed class ZfsFormatTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(512)]
    [InlineData(4096 + 12)]
    [InlineData(128 * 1024)]
    public void Fletcher4MatchesDefinition(int size)
    {
        byte[] data = HostTree.RandomBytes(size, seed: size);

        ZioChecksumValue actual = Fletcher4.Compute(data);
        ZioChecksumValue with256 = Vector256.IsHardwareAccelerated ? Fletcher4.Compute(data, 256) : actual;
        ZioChecksumValue with128 = Vector128.IsHardwareAccelerated ? Fletcher4.Compute(data, 128) : actual;
        ZioChecksumValue scalar = Fletcher4.Compute(data, 0);

        ulong a = 0, b = 0, c = 0, d = 0;
        for (int i = 0; i < size; i += 4)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i));
            b += a;
            c += b;
            d += c;
        }

        var expected = new ZioChecksumValue(a, b, c, d);
        Assert.Equal(expected, actual);
        Assert.Equal(expected, with256);
        Assert.Equal(expected, with128);
        Assert.Equal(expected, scalar);
    }

    [Fact]
    public void NvListRoundTrips()
    {
        var list = new NvList()
            .Add("version", 5000UL)
            .Add("name", "osv")
            .Add("vdev_tree", new NvList().Add("type", "disk").Add("children", [new NvList().Add("id", 0UL), new NvList().Add("id", 1UL)]))
            .AddBoolean("org.illumos:lz4_compress");

        NvList decoded = NvListXdr.Decode(NvListXdr.Encode(list));

        Assert.Equal(5000UL, decoded.FindUInt64("version"));
        Assert.Equal("osv", decoded.FindString("name"));
        Assert.Equal("disk", decoded.FindList("vdev_tree")!.FindString("type"));
        Assert.Equal(1UL, decoded.FindList("vdev_tree")!.FindListArray("children")![1].FindUInt64("id"));
        Assert.Equal(true, decoded.Find("org.illumos:lz4_compress"));
    }

    [Fact]
    public void NvPairSizesFollowLibnvpair()
    {
        byte[] packed = NvListXdr.Encode(new NvList().Add("version", 5000UL));

        // Header (4), version and flags (8), then the pair: encoded size, decoded size.
        int encodedSize = BinaryPrimitives.ReadInt32BigEndian(packed.AsSpan(12));
        int decodedSize = BinaryPrimitives.ReadInt32BigEndian(packed.AsSpan(16));
        Assert.Equal(4 + 4 + 4 + 8 + 4 + 4 + 8, encodedSize);      // sizes, name "version" (4 + 7 padded to 8), type, count, value
        Assert.Equal(24 + 8, decodedSize);                           // align8(16 + 8) + align8(8)
        Assert.Equal(4 + 8 + encodedSize + 8, packed.Length);        // the list ends with two zero words
    }

    [Fact]
    public void TruncatedNvListIsRejected()
    {
        byte[] packed = NvListXdr.Encode(new NvList().Add("name", "osv").Add("version", 5000UL));

        Assert.Throws<InvalidImageException>(() => NvListXdr.Decode(packed.AsSpan(0, packed.Length - 12)));
    }

    [Fact]
    public void EmbeddedChecksumDependsOnOffset()
    {
        var region = new byte[1024];
        region[0] = 42;
        EmbeddedChecksum.Seal(region, absoluteOffset: 128 * 1024);

        Assert.True(EmbeddedChecksum.Verify(region, 128 * 1024));
        Assert.False(EmbeddedChecksum.Verify(region, 384 * 1024));
    }

    [Fact]
    public void SpaceMapSplitsLongRuns()
    {
        // 20 MiB at ashift 9 is 40960 sectors: more than the 32768 one entry holds.
        SpaceMap[] maps = SpaceMap.Build([new Extent(0, 20L << 20)], metaslabShift: 25, metaslabCount: 1, ashift: 9);

        (long Offset, long Length, bool Free)[] runs = [.. SpaceMap.Decode(maps[0].Entries, 9)];
        Assert.Equal(2, runs.Length);
        Assert.Equal((0L, 16L << 20, false), runs[0]);
        Assert.Equal((16L << 20, 4L << 20, false), runs[1]);
        Assert.Equal(20L << 20, maps[0].AllocatedBytes);
    }

    [Fact]
    public void SpaceMapSplitsAtMetaslabs()
    {
        SpaceMap[] maps = SpaceMap.Build([new Extent(0x70000, 0x20000)], metaslabShift: 19, metaslabCount: 2, ashift: 12);

        Assert.Equal((0x70000L, 0x10000L, false), Assert.Single(SpaceMap.Decode(maps[0].Entries, 12)));
        Assert.Equal((0L, 0x10000L, false), Assert.Single(SpaceMap.Decode(maps[1].Entries, 12)));
    }

    [Fact]
    public void AllocatorKeepsBlocksInsideChunks()
    {
        var allocator = new SpaceAllocator(12, long.MaxValue);
        var blocks = new List<Extent>();
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            int size = random.Next(3) == 0 ? 128 * 1024 : random.Next(1, 33) * 4096;
            blocks.Add(new Extent(allocator.Allocate(size), size));
        }

        Assert.All(blocks, b => Assert.Equal(b.Offset / (128 * 1024), (b.End - 1) / (128 * 1024)));
        Assert.Equal(blocks.Sum(b => b.Length), allocator.AllocatedExtents().Sum(e => e.Length));
    }

    [Fact]
    public void AllocatorRestoresCheckpoint()
    {
        var allocator = new SpaceAllocator(9, long.MaxValue);
        allocator.Allocate(512);
        SpaceAllocator.Checkpoint checkpoint = allocator.Save();
        long first = allocator.Allocate(4096);

        allocator.Restore(checkpoint);

        Assert.Equal(first, allocator.Allocate(4096));
        Assert.Equal(512 + 4096, allocator.AllocatedBytes);
    }

    [Fact]
    public void FullAllocatorThrows()
    {
        var allocator = new SpaceAllocator(9, capacity: 256 * 1024);
        allocator.Allocate(128 * 1024);
        allocator.Allocate(128 * 1024);

        Assert.Throws<PoolFullException>(() => allocator.Allocate(512));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100L << 20)]
    [InlineData(3L << 30)]
    public void ContentGeometryIsWhole(long content)
    {
        var geometry = PoolGeometry.ForContent(content, 9);

        Assert.Equal(0, geometry.PartitionSize % PoolGeometry.LabelSize);
        Assert.True(geometry.PartitionSize >= PoolGeometry.MinimumSize, $"{geometry.PartitionSize} bytes");
        Assert.True(geometry.UsableSize >= content, $"{geometry.UsableSize} usable bytes for {content}");
        Assert.Equal(geometry.AllocatableSize, geometry.UsableSize);
        Assert.InRange(geometry.MetaslabCount, 1, PoolGeometry.TargetMetaslabCount);
    }

    [Fact]
    public void PartitionGeometryPlacesLabelsAtEnd()
    {
        var geometry = PoolGeometry.ForPartition((512L << 20) + 1000, 12);

        Assert.Equal(512L << 20, geometry.LabelAlignedSize);
        Assert.Equal((512L << 20) - (512 * 1024), geometry.LabelOffset(2));
        Assert.Equal((512L << 20) - (256 * 1024), geometry.LabelOffset(3));
        Assert.Equal((512L << 20) - (4L << 20) - (512 * 1024), geometry.AllocatableSize);
        Assert.Equal(22, geometry.MetaslabShift); // highbit(asize / 200), as OSv's kernel picks it
    }

    [Fact]
    public void BlockTreeGrowsLevels()
    {
        using var blocks = new WriteBehindDevice(new MemoryStream());
        var writer = new BlockWriter(blocks, new SpaceAllocator(9, long.MaxValue), 9, 4);
        var tree = new BlockTreeBuilder(writer, DmuObjectType.PlainFileContents, pointerCount: 1);
        var data = new byte[512];
        for (int i = 0; i < 200; i++)
        {
            data[0] = (byte)(i + 1);
            tree.Add(writer.Write(data, DmuObjectType.PlainFileContents, 0, 1));
        }

        var dnode = new Dnode { Type = DmuObjectType.PlainFileContents };
        dnode.SetBlockPointerCount(1);
        tree.Finish(dnode);

        // 200 blocks need two level-1 blocks (128 pointers each) under one level-2 block.
        Assert.Equal(3, dnode.Levels);
        Assert.Equal(199UL, dnode.MaxBlockId);
        Assert.Equal(200UL, dnode.BlockPointers[0].Fill);
        Assert.Equal((200UL * 512) + (3UL * 16 * 1024), dnode.UsedBytes);
        Assert.Equal(3, BlockTreeBuilder.CountIndirectBlocks(200, pointerCount: 1));
    }

    [Fact]
    public void HoleIndirectBlocksAreNotWritten()
    {
        using var blocks = new WriteBehindDevice(new MemoryStream());
        var writer = new BlockWriter(blocks, new SpaceAllocator(9, long.MaxValue), 9, 4);
        var tree = new BlockTreeBuilder(writer, DmuObjectType.PlainFileContents, pointerCount: 1);
        for (int i = 0; i < 300; i++)
        {
            tree.Add(BlockPointer.Hole);
        }

        var data = new byte[512];
        data[0] = 1;
        tree.Add(writer.Write(data, DmuObjectType.PlainFileContents, 0, 1));
        var dnode = new Dnode { Type = DmuObjectType.PlainFileContents };
        dnode.SetBlockPointerCount(1);
        tree.Finish(dnode);

        // Only the data block and its level-1 and level-2 blocks exist; the two all-hole level-1 blocks do not.
        Assert.Equal(512UL + (2 * 16 * 1024), dnode.UsedBytes);
        Assert.Equal(1UL, dnode.BlockPointers[0].Fill);
    }

    [Fact]
    public void BlockPointerRoundTrips()
    {
        var pointer = new BlockPointer
        {
            Offset = 0x123400,
            AllocatedSize = 4096,
            LogicalSize = 128 * 1024,
            PhysicalSize = 1536,
            Compression = ZioCompress.Lz4,
            ChecksumType = ZioChecksum.Fletcher4,
            Type = DmuObjectType.PlainFileContents,
            Level = 0,
            BirthTxg = 4,
            Fill = 1,
            Checksum = new ZioChecksumValue(1, 2, 3, 4),
        };
        var bytes = new byte[BlockPointer.Size];

        pointer.Write(bytes);

        Assert.Equal(pointer, BlockPointer.Read(bytes));
        Assert.Equal(8UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes)); // asize in sectors
        Assert.Equal(0x91aUL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8))); // offset in sectors
    }
}
