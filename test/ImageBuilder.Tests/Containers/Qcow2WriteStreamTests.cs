using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.ImageBuilder.Tests.FileSystems;

namespace Osv.ImageBuilder.Tests.Containers;

/// <summary>The one-pass qcow2 writer: clusters allocated on first write, judged by qemu-img against the raw disk.</summary>
public sealed class Qcow2WriteStreamTests : IDisposable
{
    private const int Cluster = 64 * 1024;

    private readonly string _folder = Directory.CreateTempSubdirectory("osv-qcow2-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Zfs_pool_qcow2_equals_raw()
    {
        if (!QemuImg.Available)
        {
            Assert.Skip("qemu-img is not installed (Debian package qemu-utils).");
        }

        // ZFS writes its labels at both ends of the partition and its blocks in between, out of disk order.
        using TestTree tree = TestTrees.Create("sample-app");
        tree.RandomFile("/data/random.bin", 700_000, seed: 7);
        string raw = Path.Combine(_folder, "pool.img");
        string qcow2 = Path.Combine(_folder, "pool.qcow2");
        foreach ((string path, ContainerFormat format) in new[] { (raw, ContainerFormat.Raw), (qcow2, ContainerFormat.Qcow2) })
        {
            var diagnostics = new DiagnosticBag();
            var layout = new DiskLayout { FileSystem = new ZfsWriter(new ZfsWriterOptions()), Plan = tree.Plan, VirtualSize = 256L << 20 };
            Assert.True(ImageFileWriter.Write(layout, path, format, null, diagnostics, TestContext.Current.CancellationToken) is not null, string.Join("\n", diagnostics));
        }

        (int checkExit, string check) = QemuImg.Run("check", "-f", "qcow2", qcow2);
        (int compareExit, string compare) = QemuImg.Run("compare", "-f", "raw", "-F", "qcow2", raw, qcow2);

        Assert.True(checkExit == 0, check);
        Assert.Contains("No errors were found", check, StringComparison.Ordinal);
        Assert.True(compareExit == 0, compare);
        Assert.True(new FileInfo(qcow2).Length < 32L << 20, $"The qcow2 file of a 256 MiB disk with about 1 MB of files is {new FileInfo(qcow2).Length} bytes.");
    }

    [Fact]
    public void Partial_cluster_reads_back_zero_filled()
    {
        using var file = new FileStream(Path.Combine(_folder, "partial.qcow2"), FileMode.CreateNew, FileAccess.ReadWrite);
        using var disk = new Qcow2WriteStream(file, 4L * Cluster);
        byte[] data = [1, 2, 3, 4];

        disk.Position = Cluster + 10;
        disk.Write(data);
        disk.SetLength(4L * Cluster);
        byte[] back = new byte[Cluster];
        disk.Position = Cluster;
        disk.ReadExactly(back);
        byte[] unwritten = new byte[Cluster];
        disk.Position = 3L * Cluster;
        disk.ReadExactly(unwritten);

        Assert.Equal(data, back[10..14]);
        Assert.Equal(Cluster - 4, back.Count(b => b == 0));
        Assert.All(unwritten, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Write_past_end_is_rejected()
    {
        using var file = new FileStream(Path.Combine(_folder, "small.qcow2"), FileMode.CreateNew, FileAccess.ReadWrite);
        using var disk = new Qcow2WriteStream(file, Cluster);

        disk.Position = Cluster - 2;
        IOException error = Assert.Throws<IOException>(() => disk.Write(new byte[4]));

        Assert.Contains("passes the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clusters_take_file_space_in_write_order()
    {
        using var file = new FileStream(Path.Combine(_folder, "order.qcow2"), FileMode.CreateNew, FileAccess.ReadWrite);
        using var disk = new Qcow2WriteStream(file, 8L * Cluster);

        disk.Position = 5L * Cluster;
        disk.Write([5]);
        disk.Position = 1L * Cluster;
        disk.Write([1]);
        disk.Complete();
        byte[] content = File.ReadAllBytes(file.Name);

        // The header takes cluster 0; the first cluster written goes to cluster 1 of the file, the second to 2.
        Assert.Equal(5, content[Cluster]);
        Assert.Equal(1, content[2 * Cluster]);
    }
}
