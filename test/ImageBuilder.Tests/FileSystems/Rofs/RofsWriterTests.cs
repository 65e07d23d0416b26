using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Tests.Containers;
using Osv.ImageBuilder.Tests.FileSystems;

namespace Osv.ImageBuilder.Tests.FileSystems.Rofs;

/// <summary>The bounds OSv enforces when it mounts ROFS, checked at write time, and sparse output.</summary>
public sealed class RofsWriterTests
{
    [Fact]
    public void NameOver65535Bytes_IsError()
    {
        using TestTree tree = new("long-name");
        tree.Plan.AddSymlink("/" + new string('n', 70000), "x", origin: null);

        Diagnostic error = WriteExpectingError(tree);

        Assert.Equal(RofsDiagnosticCodes.NameTooLong, error.Code);
        Assert.Contains("70000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PathOver4095Bytes_IsError()
    {
        using TestTree tree = new("long-path");
        string path = string.Concat(Enumerable.Repeat("/" + new string('d', 200), 21));
        tree.Plan.AddSymlink(path, "x", origin: null);

        Diagnostic error = WriteExpectingError(tree);

        Assert.Equal(RofsDiagnosticCodes.PathTooLong, error.Code);
    }

    [Fact]
    public void LinkTargetOver65535Bytes_IsError()
    {
        using TestTree tree = new("long-target");
        tree.Link("/link", new string('t', 65536));

        Diagnostic error = WriteExpectingError(tree);

        Assert.Equal(RofsDiagnosticCodes.SymlinkTargetTooLong, error.Code);
    }

    [Fact]
    public void MissingHostFile_IsErrorWithOrigin()
    {
        using TestTree tree = new("missing");
        tree.Plan.AddFile("/gone", Path.Combine(tree.Root, "does-not-exist"), 10, new SourceLocation("usr.manifest", 7));

        Diagnostic error = WriteExpectingError(tree);

        Assert.Equal(RofsDiagnosticCodes.HostFileUnreadable, error.Code);
        Assert.Equal(7, error.Location?.Line);
    }

    [Fact]
    public void SparseFile_StaysSparse()
    {
        using TestTree tree = TestTrees.Create("sparse-3g");
        string path = Path.Combine(tree.Root, "image.rofs");
        var diagnostics = new DiagnosticBag();

        long size;
        using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            size = new RofsWriter().Write(tree.Plan, output, new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken);
        }

        Assert.Empty(diagnostics);
        Assert.Equal(new FileInfo(path).Length, size);
        Assert.True(size > 3L << 30, $"The image is {size} bytes.");
        long allocated = ContainerTests.Images.AllocatedBytes(path);
        Assert.True(allocated < 1L << 20, $"The image allocates {allocated} bytes.");
        using var reader = new RofsReader(new FileStream(path, FileMode.Open, FileAccess.Read));
        using Stream content = reader.OpenFile("/big/sparse.img");
        content.Position = content.Length - 4;
        byte[] end = new byte[4];
        content.ReadExactly(end);
        Assert.Equal("end\n"u8.ToArray(), end);
    }

    private static Diagnostic WriteExpectingError(TestTree tree)
    {
        var diagnostics = new DiagnosticBag();
        using var output = new MemoryStream();

        long size = new RofsWriter().Write(tree.Plan, output, new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken);

        Assert.Equal(-1, size);
        Assert.Equal(0, output.Length);
        return Assert.Single(diagnostics);
    }
}
