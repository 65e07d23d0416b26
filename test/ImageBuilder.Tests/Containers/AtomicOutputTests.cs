using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Build;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Inspect;
using Osv.ImageBuilder.Tests.FileSystems;

namespace Osv.ImageBuilder.Tests.Containers;

/// <summary>A build that fails midway leaves no file under the target name and no temporary file.</summary>
public sealed class AtomicOutputTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("osv-atomic-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    public static TheoryData<ContainerFormat> Formats => new(Enum.GetValues<ContainerFormat>());

    [Theory]
    [MemberData(nameof(Formats))]
    public void UnreadableHostFile_LeavesNothing(ContainerFormat format)
    {
        using TestTree tree = UnreadableAfterData();
        string target = Path.Combine(_output, "usr.img");
        var diagnostics = new DiagnosticBag();

        AssembledDisk? disk = ImageFileWriter.Write(new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan }, target, format, null, diagnostics, TestContext.Current.CancellationToken);

        Assert.Null(disk);
        Assert.Equal(RofsDiagnosticCodes.HostFileUnreadable, Assert.Single(diagnostics).Code);
        Assert.Empty(Directory.GetFileSystemEntries(_output));
    }

    [Fact]
    public void UnreadableHostFile_KeepsOldImage()
    {
        using TestTree tree = UnreadableAfterData();
        string target = Path.Combine(_output, "usr.img");
        File.WriteAllText(target, "the previous image");

        ImageFileWriter.Write(new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan }, target, ContainerFormat.Qcow2, null, new DiagnosticBag(), TestContext.Current.CancellationToken);

        Assert.Equal("the previous image", File.ReadAllText(target));
        Assert.Single(Directory.GetFileSystemEntries(_output));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Success_ReplacesOldImage(ContainerFormat format)
    {
        using TestTree tree = TestTrees.Create("sample-app");
        string target = Path.Combine(_output, "usr.img");
        File.WriteAllText(target, "the previous image");
        var diagnostics = new DiagnosticBag();

        AssembledDisk? disk = ImageFileWriter.Write(new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan }, target, format, null, diagnostics, TestContext.Current.CancellationToken);

        Assert.True(disk is not null, string.Join("\n", diagnostics));
        Assert.Equal(format, DiskImageFormat(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(_output));
    }

    [Fact]
    public void Replace_SwapsAndDeletesOld()
    {
        string target = Path.Combine(_output, "target");
        string temporary = Path.Combine(_output, ".target.tmp");
        File.WriteAllText(target, "old");
        File.WriteAllText(temporary, "new");

        AtomicFile.Replace(temporary, target);

        Assert.Equal("new", File.ReadAllText(target));
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public void Replace_NoTarget_Renames()
    {
        string target = Path.Combine(_output, "target");
        string temporary = Path.Combine(_output, ".target.tmp");
        File.WriteAllText(temporary, "new");

        AtomicFile.Replace(temporary, target);

        Assert.Equal("new", File.ReadAllText(target));
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public void Replace_TargetFolder_Throws()
    {
        string target = Directory.CreateDirectory(Path.Combine(_output, "folder")).FullName;
        string temporary = Path.Combine(_output, ".target.tmp");
        File.WriteAllText(temporary, "new");

        Assert.Throws<IOException>(() => AtomicFile.Replace(temporary, target));

        Assert.True(Directory.Exists(target));
        Assert.Equal("new", File.ReadAllText(temporary));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void TinyDisk_LeavesNothing(ContainerFormat format)
    {
        using TestTree tree = new("big");
        tree.File("/big.bin", 3 << 20, seed: 1);
        string target = Path.Combine(_output, "usr.img");
        var diagnostics = new DiagnosticBag();

        AssembledDisk? disk = ImageFileWriter.Write(new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan, VirtualSize = 1 << 20 }, target, format, null, diagnostics, TestContext.Current.CancellationToken);

        Assert.Null(disk);
        Assert.Equal(RofsDiagnosticCodes.PartitionTooSmall, Assert.Single(diagnostics).Code);
        Assert.Empty(Directory.GetFileSystemEntries(_output));
    }

    [Fact]
    public void Cancelled_LeavesNothing()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        string target = Path.Combine(_output, "usr.img");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            ImageFileWriter.Write(new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan }, target, ContainerFormat.Raw, null, new DiagnosticBag(), cancellation.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_output));
    }

    private static ContainerFormat DiskImageFormat(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        return DiskImage.Detect(file);
    }

    // A tree whose second file fails on its first read: /proc/self/mem has size 0 and reading offset 0 gives EIO,
    // so the writer has already written 4 MiB of the first file when it fails.
    private static TestTree UnreadableAfterData()
    {
        var tree = new TestTree("unreadable");
        tree.File("/first.bin", 4 << 20, seed: 1);
        tree.Plan.AddFile("/unreadable", "/proc/self/mem", 0, origin: null);
        return tree;
    }
}
