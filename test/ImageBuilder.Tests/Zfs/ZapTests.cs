using System.Buffers.Binary;
using System.Text;
using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>The ZAP encodings: hash, micro ZAP collision differentiators, fat ZAP leaves.</summary>
public sealed class ZapTests
{
    [Fact]
    public void HashTableUsesEcmaPolynomial()
    {
        // The reflected CRC-64 of one byte 0x80 with a zero salt is the polynomial itself, as makefs checks.
        ulong hash = ZapHash.Compute(0, [0x80]);

        Assert.Equal(0xC96C5795D7870F42UL & ~((1UL << 36) - 1), hash);
    }

    [Fact]
    public void HashKeepsTopBits()
    {
        ulong hash = ZapHash.Compute(0x1234567890ABCDEF, "some-name"u8);

        Assert.Equal(0UL, hash & ((1UL << 36) - 1));
    }

    [Fact]
    public void MicroZapNumbersCollisions()
    {
        const ulong salt = 0x5eed5eed5eed5eed;
        (byte[] first, byte[] second) = FindCollision(salt);
        var zap = new ZapObject(salt);
        zap.Add(first, 1);
        zap.Add(second, 2);
        zap.Add("other", 3);
        var dnode = new Dnode { Type = DmuObjectType.DirectoryContents };
        var device = new MemoryStream();
        using (var blocks = new WriteBehindDevice(device))
        {
            var writer = new BlockWriter(blocks, new SpaceAllocator(9, long.MaxValue), 9, 4);
            zap.Write(writer, dnode);
            blocks.Complete();
        }

        byte[] block = device.ToArray().AsSpan((int)(PoolGeometry.AllocatableStart + dnode.BlockPointers[0].Offset), dnode.DataBlockSize).ToArray();
        var cds = new Dictionary<string, uint>();
        for (int offset = 64; offset < block.Length; offset += 64)
        {
            string name = Encoding.ASCII.GetString(block, offset + 14, 50).TrimEnd('\0');
            if (name.Length > 0)
            {
                cds[name] = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(offset + 8));
            }
        }

        Assert.Equal(512, dnode.DataBlockSize);
        Assert.Equal(0u, cds[Encoding.ASCII.GetString(first)]);
        Assert.Equal(1u, cds[Encoding.ASCII.GetString(second)]);
        Assert.Equal(0u, cds["other"]);
    }

    [Fact]
    public void MicroZapBlockHoldsDistinctCds()
    {
        const ulong salt = 0x1111222233334445;
        (byte[] first, byte[] second) = FindCollision(salt);
        var entries = new List<ZapEntry> { new(first, 1), new(second, 2) };
        foreach (ZapEntry entry in entries)
        {
            entry.Hash = ZapHash.Compute(salt, entry.Name);
        }

        entries[1].CollisionDifferentiator = 1;
        byte[] block = MicroZap.Build(entries, salt);

        Assert.Equal(entries[0].Hash, entries[1].Hash);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(64 + 8)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(128 + 8)));
    }

    [Fact]
    public void FatZapSplitsLargeDirectory()
    {
        var entries = Enumerable.Range(0, 10_000).Select(i => new ZapEntry(Encoding.ASCII.GetBytes($"file-{i:D5}.txt"), (ulong)i)).ToList();
        foreach (ZapEntry entry in entries)
        {
            entry.Hash = ZapHash.Compute(0x77, entry.Name);
        }

        (int blockShift, int prefixLength) = FatZap.Plan(entries)!.Value;

        Assert.Equal(FatZap.DefaultBlockShift, blockShift);
        Assert.InRange(prefixLength, 6, 8);
    }

    [Fact]
    public void FatZapLeavesPartitionEntries()
    {
        var entries = Enumerable.Range(0, 3000).Select(i => new ZapEntry(Encoding.ASCII.GetBytes($"n{i}"), (ulong)i)).ToList();
        foreach (ZapEntry entry in entries)
        {
            entry.Hash = ZapHash.Compute(0x99, entry.Name);
        }

        (int, int) plan = FatZap.Plan(entries)!.Value;
        List<byte[]> blocks = [.. FatZap.Build(entries, 0x99, plan)];

        int leafEntries = blocks.Skip(1).Sum(b => (int)BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(FatZap.LeafOffsets.EntryCount)));
        Assert.Equal(1 + (1 << plan.Item2), blocks.Count);
        Assert.Equal(entries.Count, leafEntries);
    }

    [Fact]
    public void CollidingNamesPassZdb()
    {
        Zdb.RequireInstalled();

        // A first pool gives the salt the directory /c gets with this seed and tree shape.
        var options = new ZfsWriterOptions { Seed = 1729 };
        ulong salt;
        using (var probeTree = new HostTree())
        {
            probeTree.AddFile("/c/a", [1]);
            probeTree.AddFile("/c/b", [2]);
            using TestPool probe = TestPool.Write(probeTree.Plan, options);
            using FileStream stream = File.OpenRead(probe.ImagePath);
            using var reader = new ZfsReader(stream);
            salt = reader.DirectorySalt("/c");
        }

        // The same shape with two names whose 28-bit hashes collide under that salt.
        (byte[] first, byte[] second) = FindCollision(salt);
        using var tree = new HostTree();
        tree.AddFile("/c/" + Encoding.ASCII.GetString(first), [1]);
        tree.AddFile("/c/" + Encoding.ASCII.GetString(second), [2]);
        using TestPool pool = TestPool.Write(tree.Plan, options);

        using (FileStream stream = File.OpenRead(pool.ImagePath))
        using (var reader = new ZfsReader(stream))
        {
            Assert.Equal(salt, reader.DirectorySalt("/c"));
        }

        pool.AssertNoLeaksOrChecksumErrors();
        PoolVerifier.AssertDumpMatchesPlan(pool.DumpFileDataset(), tree.Plan);
        PoolVerifier.AssertReaderMatchesPlan(pool.ImagePath, tree.Plan);
    }

    // Two short names whose 28-bit hashes are equal under salt, found by a birthday search.
    private static (byte[] First, byte[] Second) FindCollision(ulong salt)
    {
        var seen = new Dictionary<ulong, byte[]>();
        for (int i = 0; ; i++)
        {
            byte[] name = Encoding.ASCII.GetBytes($"name{i}");
            ulong hash = ZapHash.Compute(salt, name);
            if (seen.TryGetValue(hash, out byte[]? other))
            {
                return (other, name);
            }

            seen.Add(hash, name);
        }
    }
}
