using System.Buffers.Binary;
using System.Text;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>
/// The reader on intact and damaged pools: damaged bytes end in an <see cref="InvalidImageException"/> with a
/// message that names the problem, never in another exception or a hang.
/// </summary>
public sealed class ZfsReaderTests
{
    private const int MaxBytesReadPerFile = 1 << 20;

    private static readonly Lazy<(byte[] Image, HostTree Tree)> Sample = new(BuildSample);

    [Fact]
    public void RoundTripFindsTreeAndBytes()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/bin/app.so", 1_000_000, seed: 1);
        tree.AddFile("/etc/empty", []);
        tree.AddFile("/zeros", new byte[400_000]);
        tree.Plan.AddSymlink("/etc/link", "../bin/app.so", origin: null);
        tree.Plan.AddDirectory("/tmp", origin: null);
        for (int i = 0; i < 700; i++)
        {
            tree.AddFile($"/fat/entry-with-a-longer-name-{i:D4}", Encoding.ASCII.GetBytes(i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)));
        }

        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions { Ashift = 12 });

        PoolVerifier.AssertReaderMatchesPlan(pool.ImagePath, tree.Plan);
    }

    [Fact]
    public void ReaderNamesPoolAndDataset()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 10, seed: 1);
        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions { PoolName = "tank", DatasetLayout = ZfsDatasetLayout.ChildDataset });

        using FileStream stream = File.OpenRead(pool.ImagePath);
        using var reader = new ZfsReader(stream);

        Assert.Equal("tank", reader.PoolName);
        Assert.Equal("tank/zfs", reader.DatasetName);
        Assert.Equal(FileSystemKind.Zfs, reader.Kind);
    }

    [Fact]
    public void ExplicitDatasetIsRead()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 10, seed: 1);
        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions { DatasetLayout = ZfsDatasetLayout.ChildDataset });
        using FileStream stream = File.OpenRead(pool.ImagePath);

        using var reader = new ZfsReader(stream, "osv", leaveOpen: true);

        Assert.Empty(reader.ReadTree());
        Assert.Throws<InvalidImageException>(() => new ZfsReader(stream, "osv/missing", leaveOpen: true));
    }

    [Fact]
    public void MissingFileThrowsNotFound()
    {
        using var reader = new ZfsReader(new MemoryStream(Sample.Value.Image));

        Assert.Throws<FileNotFoundException>(() => reader.OpenFile("/no/such/file"));
        Assert.Throws<FileNotFoundException>(() => reader.OpenFile("/dir"));
    }

    [Fact]
    public void ZeroedPartitionIsRejected()
    {
        var exception = Assert.Throws<InvalidImageException>(() => new ZfsReader(new MemoryStream(new byte[64 << 20])));

        Assert.Contains("No ZFS label has a valid config", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TinyPartitionIsRejected()
    {
        var exception = Assert.Throws<InvalidImageException>(() => new ZfsReader(new MemoryStream(new byte[1 << 20])));

        Assert.Contains("too small", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstTwoLabelsMayBeLost()
    {
        byte[] image = (byte[])Sample.Value.Image.Clone();
        Array.Clear(image, 0, 2 * PoolGeometry.LabelSize);

        using var reader = new ZfsReader(new MemoryStream(image));

        Assert.NotEmpty(reader.ReadTree());
    }

    [Fact]
    public void DamagedUberblocksAreRejected()
    {
        byte[] image = (byte[])Sample.Value.Image.Clone();
        var geometry = PoolGeometry.ForPartition(image.Length, 9);
        for (int label = 0; label < PoolGeometry.LabelCount; label++)
        {
            int ring = (int)geometry.LabelOffset(label) + VdevLabel.UberblockRingOffset;
            for (int slot = ring; slot < ring + VdevLabel.UberblockRingSize; slot += 1024)
            {
                image[slot + 20] ^= 0xFF; // inside ub_txg
            }
        }

        var exception = Assert.Throws<InvalidImageException>(() => new ZfsReader(new MemoryStream(image)));

        Assert.Contains("uberblock", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedPartitionIsRejected()
    {
        byte[] image = Sample.Value.Image.AsSpan(0, 5 << 20).ToArray();

        var exception = Assert.Throws<InvalidImageException>(() =>
        {
            using var reader = new ZfsReader(new MemoryStream(image));
            ReadEverything(reader);
        });

        Assert.Contains("outside the pool's allocatable area", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedDataBlockFailsChecksum()
    {
        byte[] image = (byte[])Sample.Value.Image.Clone();
        byte[] content = HostTree.RandomBytes(3000, seed: 42);
        int offset = image.AsSpan().IndexOf(content.AsSpan(0, 64));
        Assert.True(offset > 0, "The file's bytes were not found in the pool.");
        image[offset + 100] ^= 0x01;
        using var reader = new ZfsReader(new MemoryStream(image));
        Assert.NotEmpty(reader.ReadTree());
        using Stream file = reader.OpenFile("/dir/known.bin");

        var exception = Assert.Throws<InvalidImageException>(() => file.CopyTo(Stream.Null));

        Assert.Contains("fails its checksum", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedDirectoryFailsChecksum()
    {
        byte[] image = (byte[])Sample.Value.Image.Clone();
        int offset = image.AsSpan().IndexOf("loop-child"u8);
        Assert.True(offset > 0, "The directory entry was not found in the pool.");
        image[offset] ^= 0x01;

        var exception = Assert.Throws<InvalidImageException>(() =>
        {
            using var reader = new ZfsReader(new MemoryStream(image));
            reader.ReadTree();
        });

        Assert.Contains("fails its checksum", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryLoopIsDetected()
    {
        // Point /loop/loop-child at /loop itself; checksums are off so that the loop check is what fires.
        byte[] image = (byte[])Sample.Value.Image.Clone();
        ulong loopObject;
        using (var reader = new ZfsReader(new MemoryStream(image)))
        {
            loopObject = reader.ObjectOf("/loop");
        }

        int name = image.AsSpan().IndexOf("loop-child"u8);
        int valueOffset = name - 14; // a micro ZAP entry: value (8), cd (4), pad (2), name
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(valueOffset), (4UL << 60) | loopObject);

        var exception = Assert.Throws<InvalidImageException>(() =>
        {
            using var reader = new ZfsReader(new MemoryStream(image), dataset: null, leaveOpen: false, verifyChecksums: false);
            reader.ReadTree();
        });

        Assert.Contains("loop", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RandomDamageGivesOnlyInvalidImage()
    {
        byte[] original = Sample.Value.Image;
        (int start, int end) = UsedRange(original);
        var random = new Random(2026);
        int failures = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            // Flip a few bytes in the used part of the pool (undone after the trial); half the trials skip
            // checksums to reach the parsers.
            byte[] image = original;
            var flips = new (int Offset, byte Mask)[random.Next(1, 9)];
            for (int i = 0; i < flips.Length; i++)
            {
                flips[i] = (random.Next(start, end), (byte)random.Next(1, 256));
                image[flips[i].Offset] ^= flips[i].Mask;
            }

            bool verify = trial % 2 == 0;
            Task<Exception?> run = Task.Run(() =>
            {
                try
                {
                    using var reader = new ZfsReader(new MemoryStream(image), null, leaveOpen: false, verifyChecksums: verify);
                    ReadEverything(reader);
                    return null;
                }
                catch (InvalidImageException)
                {
                    failures++;
                    return null;
                }
                catch (Exception exception)
                {
                    return exception;
                }
            }, TestContext.Current.CancellationToken);

            Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            Assert.True(finished == run, $"Trial {trial} did not finish in 30 seconds: the reader hangs.");
            Exception? unexpected = await run;
            for (int i = flips.Length - 1; i >= 0; i--)
            {
                image[flips[i].Offset] ^= flips[i].Mask;
            }

            Assert.True(unexpected is null, $"Trial {trial} (checksums {(verify ? "on" : "off")}) threw {unexpected}");
        }

        Assert.True(failures > 0, "No damage was detected in 400 trials.");
    }

    // Lists the tree and reads (the start of) every file.
    private static void ReadEverything(ZfsReader reader)
    {
        var buffer = new byte[64 * 1024];
        foreach (FileSystemEntry entry in reader.ReadTree())
        {
            if (entry.Kind != FileSystemEntryKind.File)
            {
                continue;
            }

            using Stream stream = reader.OpenFile(entry.GuestPath);
            int total = 0;
            int read;
            while (total < MaxBytesReadPerFile && (read = stream.Read(buffer)) > 0)
            {
                total += read;
            }
        }
    }

    // The part of the allocatable area that holds blocks: from its start to the last non-zero byte before label 2.
    private static (int Start, int End) UsedRange(byte[] image)
    {
        var geometry = PoolGeometry.ForPartition(image.Length, 9);
        int start = (int)PoolGeometry.AllocatableStart;
        int end = image.AsSpan(start, (int)(geometry.LabelOffset(2) - start)).LastIndexOfAnyExcept((byte)0) + start + 1;
        return (start, end);
    }

    // A pool whose blocks are mostly metadata: many tiny files, a fat ZAP, a file with indirect blocks, links.
    private static (byte[] Image, HostTree Tree) BuildSample()
    {
        var tree = new HostTree();
        tree.AddFile("/dir/known.bin", HostTree.RandomBytes(3000, seed: 42));
        tree.AddRandomFile("/dir/two-levels.bin", 300_000, seed: 43);
        for (int i = 0; i < 150; i++)
        {
            tree.AddRandomFile($"/small/{i}", i * 7, seed: i);
        }

        for (int i = 0; i < 700; i++)
        {
            tree.AddFile($"/fat/name-{i:D4}", []);
        }

        tree.AddFile("/loop/loop-child/inside", [1, 2, 3]);
        tree.Plan.AddSymlink("/dir/link", "known.bin", origin: null);
        var stream = new MemoryStream();
        var diagnostics = new DiagnosticBag();
        long size = new ZfsWriter(new ZfsWriterOptions { Compression = ZfsCompression.Lz4 }).Write(tree.Plan, stream, new FileSystemWriteOptions(), diagnostics);
        Assert.True(size > 0, string.Join("; ", diagnostics));
        return (stream.ToArray(), tree);
    }
}
