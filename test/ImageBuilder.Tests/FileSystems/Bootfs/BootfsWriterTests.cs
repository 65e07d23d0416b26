using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.ImageBuilder.Tests.FileSystems;

namespace Osv.ImageBuilder.Tests.FileSystems.Bootfs;

public sealed class BootfsWriterTests
{
    [Fact]
    public void Name110Bytes_IsWritten()
    {
        using TestTree tree = new("limit");
        tree.Text("/" + new string('n', 109), "x");

        using var output = new MemoryStream();
        long size = new BootfsWriter().Write(tree.Plan, output, new FileSystemWriteOptions(), new DiagnosticBag(), TestContext.Current.CancellationToken);

        // One record, the all-zero record, and one byte of data.
        Assert.Equal((2 * 128) + 1, size);
    }

    [Fact]
    public void Name111Bytes_IsError()
    {
        using TestTree tree = new("too-long");
        tree.Text("/" + new string('n', 110), "x");
        var diagnostics = new DiagnosticBag();

        long size = new BootfsWriter().Write(tree.Plan, new MemoryStream(), new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken);

        Assert.Equal(-1, size);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(BootfsDiagnosticCodes.NameTooLong, error.Code);
        Assert.Contains("111 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateSymlink_IsError()
    {
        using TestTree tree = new("duplicate-link");
        tree.Link("/etc/mnttab", "/proc/mounts");
        tree.Link("/etc/mnttab", "/proc/self/mounts");
        var diagnostics = new DiagnosticBag();

        long size = new BootfsWriter().Write(tree.Plan, new MemoryStream(), new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken);

        Assert.Equal(-1, size);
        Assert.Equal(BootfsDiagnosticCodes.DuplicateSymlink, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void TooLargeForLimit_IsError()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        var diagnostics = new DiagnosticBag();

        long size = new BootfsWriter().Write(tree.Plan, new MemoryStream(), new FileSystemWriteOptions { PartitionSize = 4096 }, diagnostics, TestContext.Current.CancellationToken);

        Assert.Equal(-1, size);
        Assert.Equal(BootfsDiagnosticCodes.PartitionTooSmall, Assert.Single(diagnostics).Code);
    }
}
