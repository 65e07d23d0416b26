using System.Globalization;
using System.Text.RegularExpressions;
using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>
/// Pools checked by OpenZFS's zdb: valid labels, every checksum verified, no leaked or doubly used space,
/// and a dump of the file dataset that matches the plan; then read back with the <see cref="ZfsReader"/>.
/// Each tree runs with a different layout, compression and ashift, so that all of them are covered.
/// </summary>
public sealed class ZdbAcceptanceTests
{
    [Fact]
    public void SmallTreePassesZdb()
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        tree.AddRandomFile("/etc/hosts", 120, seed: 1);
        tree.AddRandomFile("/app/data.bin", 300_000, seed: 2);
        tree.AddFile("/app/empty", []);
        tree.Plan.AddSymlink("/etc/mnttab", "/proc/mounts", origin: null);
        tree.Plan.AddDirectory("/tmp", origin: null);

        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions());

        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();

        // The MOS holds a space map per metaslab, more than three dnode blocks: its meta-dnode needs indirect blocks.
        (int exitCode, string output) = Zdb.Run("-e", "-p", pool.Folder, "-dd", pool.Options.PoolName, "0");
        Assert.Equal(0, exitCode);
        Match metaDnode = Regex.Match(output, @"\n\s+0\s+(\d+)\s+16K\s+16K");
        Assert.True(metaDnode.Success, $"zdb printed no MOS object 0:\n{output}");
        Assert.True(int.Parse(metaDnode.Groups[1].Value, CultureInfo.InvariantCulture) >= 2, $"The MOS meta-dnode has {metaDnode.Groups[1].Value} level.");
    }

    [Theory]
    [InlineData(ZfsDatasetLayout.RootDataset, ZfsCompression.Off, 9)]
    [InlineData(ZfsDatasetLayout.ChildDataset, ZfsCompression.Lz4, 12)]
    public void SampleAppPassesZdb(ZfsDatasetLayout layout, ZfsCompression compression, int ashift)
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        SampleTrees.AddSampleApp(tree);
        var options = new ZfsWriterOptions { DatasetLayout = layout, Compression = compression, Ashift = ashift };

        using TestPool pool = TestPool.Write(tree.Plan, options);

        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();
        ZdbDump dump = pool.DumpFileDataset();
        PoolVerifier.AssertDumpMatchesPlan(dump, tree.Plan);
        PoolVerifier.AssertReaderMatchesPlan(pool.ImagePath, tree.Plan);
        if (compression == ZfsCompression.Off)
        {
            PoolVerifier.AssertZdbReadsFirstBlock(pool, dump, "/app/hello.so", ((Osv.Plan.GuestFile)tree.Plan.Find("/app/hello.so")!).HostPath);
        }
    }

    [Fact]
    public void LargeDirectoriesPassZdb()
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        SampleTrees.AddLargeDirectories(tree);

        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions { Ashift = 12 });

        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();
        ZdbDump dump = pool.DumpFileDataset();
        PoolVerifier.AssertDumpMatchesPlan(dump, tree.Plan);

        // Both directories need fat ZAPs of several leaves.
        int leaves = int.Parse(dump.Paths()["/many"].Attributes["leaf blocks"], CultureInfo.InvariantCulture);
        Assert.True(leaves > 1, $"The directory of 10,000 entries has {leaves} ZAP leaf; several were expected.");
        int longLeaves = int.Parse(dump.Paths()["/long"].Attributes["leaf blocks"], CultureInfo.InvariantCulture);
        Assert.True(longLeaves > 1, $"The directory of 300 long names has {longLeaves} ZAP leaf; several were expected.");
        PoolVerifier.AssertReaderMatchesPlan(pool.ImagePath, tree.Plan);
    }

    [Fact]
    public void SparseAndDeepTreePassesZdb()
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        SampleTrees.AddSparseAndDeep(tree);
        var options = new ZfsWriterOptions { DatasetLayout = ZfsDatasetLayout.ChildDataset, Compression = ZfsCompression.Lz4 };

        using TestPool pool = TestPool.Write(tree.Plan, options);

        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();
        ZdbDump dump = pool.DumpFileDataset();
        PoolVerifier.AssertDumpMatchesPlan(dump, tree.Plan);
        PoolVerifier.AssertReaderMatchesPlan(pool.ImagePath, tree.Plan, path => path == "/data/sparse.img" ? SampleTrees.OpenSparseContent() : null);

        // Holes are not stored: the pool stays far smaller than the sparse file.
        Assert.True(pool.Size < 256L << 20, $"The pool of a mostly empty 5 GiB file is {pool.Size} bytes.");
    }

    [Fact]
    public void RootLayoutWithLz4PassesZdb()
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        SampleTrees.AddSampleApp(tree);
        tree.AddFile("/text/repeated.txt", System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("OSv ZFS ", 100_000))));

        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions { Compression = ZfsCompression.Lz4, Ashift = 9 });

        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();
        (int exitCode, string output) = Zdb.Run("-e", "-p", pool.Folder, "-dddd", pool.Options.PoolName);
        Assert.Equal(0, exitCode);
        Assert.Empty(Zdb.ProblemLines(output));
        Assert.Contains("org.illumos:lz4_compress = 1", output, StringComparison.Ordinal);
        PoolVerifier.AssertDumpMatchesPlan(ZdbDump.Parse(output, pool.FileDataset), tree.Plan);
        PoolVerifier.AssertReaderMatchesPlan(pool.ImagePath, tree.Plan);

        (int labelExit, string labels) = Zdb.Run("-l", pool.ImagePath);
        Assert.Equal(0, labelExit);
        Assert.Contains("org.illumos:lz4_compress", labels, StringComparison.Ordinal);
    }

    [Fact]
    public void FixedPartitionPassesZdb()
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        tree.AddRandomFile("/app/data.bin", 3_000_000, seed: 3);
        long partitionSize = (300L << 20) + 12_345; // not a multiple of 256 KiB, as an MBR partition may be

        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions(), partitionSize);

        Assert.Equal(partitionSize, pool.Size);
        Assert.Equal(partitionSize, new FileInfo(pool.ImagePath).Length);
        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();
        PoolVerifier.AssertDumpMatchesPlan(pool.DumpFileDataset(), tree.Plan);
    }
}
