using System.Buffers.Binary;
using Osv.ImageBuilder.Inspect;

namespace Osv.ImageBuilder.Tests.Inspect;

public sealed class FileSystemReadersTests
{
    // A label whose only uberblock sits in slot `slot` of the ring, as in a pool whose last txg is not a
    // multiple of the slot count (OSv's own images among them).
    private static MemoryStream PartitionWithUberblockIn(int slot)
    {
        byte[] partition = new byte[512 * 1024];
        int offset = (int)FileSystemReaders.ZfsUberblockRingOffset + (slot * 1024);
        BinaryPrimitives.WriteUInt64LittleEndian(partition.AsSpan(offset), FileSystemReaders.ZfsUberblockMagic);
        return new MemoryStream(partition);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(127)]
    public void IsZfs_FindsAnySlot(int slot)
    {
        using MemoryStream partition = PartitionWithUberblockIn(slot);

        Assert.True(FileSystemReaders.IsZfs(partition));
        Assert.Equal(0, partition.Position);
    }

    [Fact]
    public void IsZfs_EmptyRing_IsFalse()
    {
        using var partition = new MemoryStream(new byte[512 * 1024]);

        Assert.False(FileSystemReaders.IsZfs(partition));
    }

    [Fact]
    public void IsZfs_ShortPartition_IsFalse()
    {
        using var partition = new MemoryStream(new byte[200 * 1024]);

        Assert.False(FileSystemReaders.IsZfs(partition));
    }
}
