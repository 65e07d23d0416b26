using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Inspect;
using Osv.ImageBuilder.Kernel;
using Osv.ImageBuilder.Tests.FileSystems;
using Osv.ImageBuilder.Tests.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Inspect;

/// <summary>Images written and read back with the project's readers give the same tree, contents and links.</summary>
public sealed class RoundTripTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("osv-roundtrip-").FullName;

    public static TheoryData<string, ContainerFormat> Cases
    {
        get
        {
            var data = new TheoryData<string, ContainerFormat>();
            foreach (string tree in new[] { "sample-app", "symlinks", "spaces", "duplicates" })
            {
                foreach (ContainerFormat format in Enum.GetValues<ContainerFormat>())
                {
                    data.Add(tree, format);
                }
            }

            return data;
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void DiskImage_ReadsRofsBack(string name, ContainerFormat format)
    {
        using TestTree tree = TestTrees.Create(name);
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        string path = Path.Combine(_folder, "disk." + format.ToString().ToLowerInvariant());
        var diagnostics = new DiagnosticBag();
        ImageFileWriter.Write(
            new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan, CommandLine = "/hello" },
            path,
            format,
            new ContainerOptions { Compress = true },
            diagnostics,
            TestContext.Current.CancellationToken);
        Assert.Empty(diagnostics);

        using DiskImage image = DiskImage.Open(path);
        using IFileSystemReader reader = image.OpenFileSystem();

        Assert.Equal(format, image.Format);
        Assert.Equal("--rootfs=rofs /hello", image.CommandLine);
        Assert.Equal(FileSystemKind.Rofs, reader.Kind);
        AssertSameTree(tree.Plan, reader);
    }

    [Fact]
    public void DiskImage_KernelLess_HasNoCommandLine()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        string path = Path.Combine(_folder, "disk.qcow2");
        var diagnostics = new DiagnosticBag();
        ImageFileWriter.Write(new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan }, path, ContainerFormat.Qcow2, null, diagnostics, TestContext.Current.CancellationToken);

        using DiskImage image = DiskImage.Open(path);
        using IFileSystemReader reader = image.OpenFileSystem();

        Assert.Null(image.CommandLine);
        Assert.Equal(512, image.Partitions[1].Offset);
        AssertSameTree(tree.Plan, reader);
    }

    [Fact]
    public void Rofs_NonAsciiNames_StoreByteCounts()
    {
        using TestTree tree = new("non-ascii");
        tree.Text("/données/été.txt", "accents\n");
        tree.Text("/日本語/ファイル", "kanji\n");
        tree.Link("/liens/→cible", "/données/été.txt");

        using var image = new MemoryStream();
        new RofsWriter().Write(tree.Plan, image, new FileSystemWriteOptions(), new DiagnosticBag(), TestContext.Current.CancellationToken);
        using var reader = new RofsReader(image, leaveOpen: true);

        AssertSameTree(tree.Plan, reader);
        Assert.Equal("/données/été.txt", reader.ReadSymlink("/liens/→cible"));
    }

    [Theory]
    [InlineData("sample-app")]
    [InlineData("symlinks")]
    [InlineData("deep")]
    [InlineData("empty-files")]
    public void Rofs_ReadsBack(string name)
    {
        using TestTree tree = TestTrees.Create(name);
        using var image = new MemoryStream(Tests.FileSystems.Rofs.RofsParityTests.Write(tree));

        using var reader = new RofsReader(image);

        AssertSameTree(tree.Plan, reader);
    }

    [Theory]
    [InlineData("sample-app")]
    [InlineData("symlinks")]
    [InlineData("deep")]
    [InlineData("duplicates")]
    public void Bootfs_ReadsBack(string name)
    {
        using TestTree tree = TestTrees.Create(name);
        using var blob = new MemoryStream(Tests.FileSystems.Bootfs.BootfsParityTests.Write(tree));

        using var reader = new BootfsReader(blob);

        Assert.Equal(tree.Plan.Entries.Count, reader.Records.Count);
        AssertSameTree(tree.Plan, reader);
    }

    // Compares the reader's tree with the plan: the same paths in the same order, kinds, sizes, link targets and contents.
    internal static void AssertSameTree(ImagePlan plan, IFileSystemReader reader)
    {
        IReadOnlyList<FileSystemEntry> entries = reader.ReadTree();
        List<GuestNode> nodes = plan.Walk().Skip(1).ToList();
        Assert.Equal(nodes.Select(n => n.GuestPath), entries.Select(e => e.GuestPath));
        for (int i = 0; i < nodes.Count; i++)
        {
            FileSystemEntry entry = entries[i];
            switch (nodes[i])
            {
                case GuestDirectory:
                    Assert.Equal(FileSystemEntryKind.Directory, entry.Kind);
                    break;
                case GuestSymlink link:
                    Assert.Equal(FileSystemEntryKind.Symlink, entry.Kind);
                    Assert.Equal(link.Target, entry.SymlinkTarget);
                    break;
                case GuestFile file:
                    Assert.Equal(FileSystemEntryKind.File, entry.Kind);
                    byte[] expected = File.ReadAllBytes(file.HostPath);
                    Assert.Equal(expected.Length, entry.Size);
                    using (Stream content = reader.OpenFile(entry.GuestPath))
                    using (var copy = new MemoryStream())
                    {
                        content.CopyTo(copy);
                        Assert.True(expected.AsSpan().SequenceEqual(copy.ToArray()), $"The content of {entry.GuestPath} differs.");
                    }

                    break;
            }
        }
    }
}
