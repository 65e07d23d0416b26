using System.Security.Cryptography;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>The writer's contract: reproducible bytes, sizes, and diagnostics for input it cannot write.</summary>
public sealed class ZfsWriterTests
{
    [Fact]
    public void SamePlanGivesSameBytes()
    {
        using var tree = new HostTree();
        AddMixedTree(tree);

        byte[] first = WriteToMemory(tree.Plan, new ZfsWriterOptions { Compression = ZfsCompression.Lz4 }, timestamp: 1_700_000_000);
        byte[] second = WriteToMemory(tree.Plan, new ZfsWriterOptions { Compression = ZfsCompression.Lz4 }, timestamp: 1_700_000_000);

        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
    }

    [Fact]
    public void ReusedStreamGivesSameBytes()
    {
        using var tree = new HostTree();
        AddMixedTree(tree);
        byte[] fresh = WriteToMemory(tree.Plan, new ZfsWriterOptions());

        // A stream full of old bytes, longer than the pool.
        var dirty = new MemoryStream();
        dirty.Write(Enumerable.Repeat((byte)0xA5, fresh.Length + 4096).ToArray());
        var diagnostics = new DiagnosticBag();
        long size = new ZfsWriter().Write(tree.Plan, dirty, new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken);

        Assert.Empty(diagnostics);
        Assert.Equal(fresh.Length, size);
        Assert.True(fresh.AsSpan().SequenceEqual(dirty.ToArray().AsSpan(0, fresh.Length)), "The pool written over old bytes differs from the one written into an empty stream.");
    }

    [Fact]
    public void TimestampChangesBytes()
    {
        using var tree = new HostTree();
        AddMixedTree(tree);

        byte[] epoch = WriteToMemory(tree.Plan, new ZfsWriterOptions());
        byte[] later = WriteToMemory(tree.Plan, new ZfsWriterOptions(), timestamp: 1_700_000_000);

        Assert.False(epoch.AsSpan().SequenceEqual(later), "SOURCE_DATE_EPOCH did not change the pool.");
    }

    [Fact]
    public void TimestampAppearsInZdbDump()
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 10, seed: 1);

        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions(), timestamp: 1_700_000_000);

        DumpObject file = pool.DumpFileDataset().Paths()["/file"];
        Assert.Contains("2023", file.Attributes.GetValueOrDefault("mtime", string.Empty), StringComparison.Ordinal);
    }

    [Fact]
    public void SeedChangesPoolGuid()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 10, seed: 1);

        byte[] first = WriteToMemory(tree.Plan, new ZfsWriterOptions { Seed = 1 });
        byte[] second = WriteToMemory(tree.Plan, new ZfsWriterOptions { Seed = 2 });

        Assert.False(first.AsSpan().SequenceEqual(second), "Two seeds gave the same pool.");
    }

    [Fact]
    public void OpenSizeFitsLabelsAndMinimum()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 10, seed: 1);

        byte[] pool = WriteToMemory(tree.Plan, new ZfsWriterOptions());

        Assert.Equal(0, pool.Length % (256 * 1024));
        Assert.True(pool.Length >= 64L << 20, $"The pool is {pool.Length} bytes.");
    }

    [Fact]
    public void EmptyPlanPassesZdb()
    {
        Zdb.RequireInstalled();

        using TestPool pool = TestPool.Write(new ImagePlan(), new ZfsWriterOptions { DatasetLayout = ZfsDatasetLayout.ChildDataset, Ashift = 12 });

        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();
        Assert.Single(pool.DumpFileDataset().Paths());
    }

    [Fact]
    public void LongNameIsRejected()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/" + new string('n', 256), 10, seed: 1);

        (long size, DiagnosticBag diagnostics, long length) = WriteWithDiagnostics(tree.Plan, new ZfsWriterOptions());

        Assert.Equal(-1, size);
        Assert.Equal(0, length);
        Assert.Equal("OSV3301", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void LongSymlinkTargetIsRejected()
    {
        var plan = new ImagePlan();
        plan.AddSymlink("/link", "/" + new string('t', 144), origin: new SourceLocation("usr.manifest", 3));

        (long size, DiagnosticBag diagnostics, _) = WriteWithDiagnostics(plan, new ZfsWriterOptions());

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(-1, size);
        Assert.Equal("OSV3302", diagnostic.Code);
        Assert.Equal(new SourceLocation("usr.manifest", 3), diagnostic.Location);
        Assert.Contains("145 bytes", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SmallPartitionIsRejected()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 10, seed: 1);

        (long size, DiagnosticBag diagnostics, _) = WriteWithDiagnostics(tree.Plan, new ZfsWriterOptions(), partitionSize: 32L << 20);

        Assert.Equal(-1, size);
        Assert.Equal("OSV3306", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void OverfullPartitionIsRejected()
    {
        using var tree = new HostTree();
        for (int i = 0; i < 9; i++)
        {
            tree.AddRandomFile($"/data/{i}", 8 << 20, seed: i);
        }

        (long size, DiagnosticBag diagnostics, long length) = WriteWithDiagnostics(tree.Plan, new ZfsWriterOptions(), partitionSize: 64L << 20);

        Assert.Equal(-1, size);
        Assert.Equal("OSV3306", Assert.Single(diagnostics).Code);
        Assert.Equal(0, length);
    }

    [Theory]
    [InlineData(10, "osv")]
    [InlineData(9, "1osv")]
    [InlineData(9, "mirror0")]
    [InlineData(9, "os v")]
    public void InvalidOptionIsRejected(int ashift, string poolName)
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 10, seed: 1);

        (long size, DiagnosticBag diagnostics, _) = WriteWithDiagnostics(tree.Plan, new ZfsWriterOptions { Ashift = ashift, PoolName = poolName });

        Assert.Equal(-1, size);
        Assert.Equal("OSV3307", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void MissingHostFileIsReported()
    {
        var plan = new ImagePlan();
        plan.AddFile("/missing", "/nonexistent/osv-zfs-test-file", 10, origin: null);

        (long size, DiagnosticBag diagnostics, _) = WriteWithDiagnostics(plan, new ZfsWriterOptions());

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(-1, size);
        Assert.Equal("OSV3304", diagnostic.Code);
        Assert.Contains("/nonexistent/osv-zfs-test-file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangedHostFileIsReported()
    {
        using var tree = new HostTree();
        string host = tree.AddRandomFile("/file", 1000, seed: 1);
        File.WriteAllBytes(host, new byte[500]);

        (long size, DiagnosticBag diagnostics, _) = WriteWithDiagnostics(tree.Plan, new ZfsWriterOptions());

        Assert.Equal(-1, size);
        Assert.Equal("OSV3305", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void CancelledWriteThrows()
    {
        using var tree = new HostTree();
        tree.AddRandomFile("/file", 1000, seed: 1);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            new ZfsWriter().Write(tree.Plan, new MemoryStream(), new FileSystemWriteOptions(), new DiagnosticBag(), cancellation.Token));
    }

    // A small tree of every kind of node.
    private static void AddMixedTree(HostTree tree)
    {
        tree.AddRandomFile("/bin/app.so", 200_000, seed: 5);
        tree.AddFile("/etc/config", "key=value\n"u8.ToArray());
        tree.AddFile("/etc/empty", []);
        tree.Plan.AddSymlink("/etc/link", "config", origin: null);
        tree.Plan.AddDirectory("/tmp", origin: null);
    }

    private static byte[] WriteToMemory(ImagePlan plan, ZfsWriterOptions options, long timestamp = 0)
    {
        var stream = new MemoryStream();
        var diagnostics = new DiagnosticBag();
        long size = new ZfsWriter(options).Write(plan, stream, new FileSystemWriteOptions { Timestamp = timestamp }, diagnostics, TestContext.Current.CancellationToken);
        Assert.Empty(diagnostics);
        Assert.Equal(stream.Length, size);
        return stream.ToArray();
    }

    private static (long Size, DiagnosticBag Diagnostics, long Length) WriteWithDiagnostics(ImagePlan plan, ZfsWriterOptions options, long? partitionSize = null)
    {
        var stream = new MemoryStream();
        var diagnostics = new DiagnosticBag();
        long size = new ZfsWriter(options).Write(plan, stream, new FileSystemWriteOptions { PartitionSize = partitionSize }, diagnostics, TestContext.Current.CancellationToken);
        return (size, diagnostics, stream.Length);
    }
}
