using System.Buffers.Binary;
using System.Text;
using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Kernel;
using Osv.ImageBuilder.Tests.FileSystems;
using Osv.ImageBuilder.Tests.Kernel;

namespace Osv.ImageBuilder.Tests.Assemble;

public sealed class DiskAssemblerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("osv-disk-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void WithKernel_PadsBootImageTo2MiB()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        using FileStream disk = NewDisk();

        AssembledDisk? result = Assemble(new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan, CommandLine = "/hello" }, disk);

        Assert.NotNull(result);
        Assert.Equal(2L << 20, result.PartitionOffset);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "kernel", "loader.img")).AsSpan(65536).ToArray(), Bytes(disk, 65536, SyntheticKernel.BootImageLength - 65536));
        Assert.Equal(DiskLayout.DefaultVirtualSize, disk.Length);
    }

    [Fact]
    public void WithKernel_WritesPartitionEntryAsImgedit()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        using FileStream disk = NewDisk();

        AssembledDisk? result = Assemble(new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan }, disk);

        // The bytes imgedit.py setpartition writes for a 90112-byte ROFS image at 2 MiB, computed with its chs().
        Assert.NotNull(result);
        Assert.Equal(90112, result.PartitionSize);
        Assert.Equal("004102008343340000100000b0000000", Convert.ToHexStringLower(Bytes(disk, 0x1BE + 16, 16)));
    }

    [Fact]
    public void WithKernel_PartitionHoldsRofs()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        using FileStream disk = NewDisk();

        Assemble(new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan }, disk);

        byte[] approved = File.ReadAllBytes(ApprovedFiles.PathOf("sample-app", "rofs"));
        Assert.Equal(approved, Bytes(disk, 2 << 20, approved.Length));
    }

    [Fact]
    public void CommandLine_GetsRootfsPrefix()
    {
        using TestTree tree = TestTrees.Create("empty-files");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        using FileStream disk = NewDisk();

        Assemble(new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan, CommandLine = "--env=A=1 /hello" }, disk);

        disk.Position = 0;
        Assert.Equal("--rootfs=rofs --env=A=1 /hello", BootCommandLine.Read(disk));
    }

    [Fact]
    public void CommandLine_ClearsOldTail()
    {
        using TestTree tree = TestTrees.Create("empty-files");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        using FileStream disk = NewDisk();

        Assemble(new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan, CommandLine = "/a" }, disk);

        byte[] bytes = Bytes(disk, 0, 4096);
        int written = Encoding.ASCII.GetByteCount("--rootfs=rofs /a");
        Assert.False(bytes.AsSpan(512 + written, 100).ContainsAnyExcept((byte)0), "Bytes of the old command line remain after the new one.");
    }

    [Fact]
    public void CommandLine_TooLong_ReportsNumbers()
    {
        using TestTree tree = TestTrees.Create("empty-files");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        var diagnostics = new DiagnosticBag();
        using FileStream disk = NewDisk();

        AssembledDisk? result = DiskAssembler.Assemble(
            new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan, CommandLine = new string('x', 40000) },
            disk,
            diagnostics,
            TestContext.Current.CancellationToken);

        Assert.Null(result);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(DiskDiagnosticCodes.CommandLineTooLong, error.Code);
        Assert.Contains("40014 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("32256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelLess_HasBareMbrAndPartitionAt512()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        using FileStream disk = NewDisk();

        AssembledDisk? result = Assemble(new DiskLayout { Kernel = null, FileSystem = new RofsWriter(), Plan = tree.Plan }, disk);

        byte[] bytes = Bytes(disk, 0, 4096);
        Assert.NotNull(result);
        Assert.Equal(512, result.PartitionOffset);
        Assert.False(bytes.AsSpan(0, 0x1BE + 16).ContainsAnyExcept((byte)0), "Only partition 2 and the signature may be set.");
        Assert.False(bytes.AsSpan(0x1BE + 32, 510 - 0x1BE - 32).ContainsAnyExcept((byte)0), "Partitions 3 and 4 must be empty.");
        Assert.Equal(0xAA55, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(510)));
        Assert.Equal(0xDEADBEADUL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(512)));
    }

    [Fact]
    public void KernelLess_PartitionEntryMatchesImgedit()
    {
        using TestTree tree = TestTrees.Create("empty-files");
        using FileStream disk = NewDisk();
        var generic = KernelBundle.Generic;

        AssembledDisk? result = Assemble(new DiskLayout { Kernel = generic, FileSystem = new RofsWriter(), Plan = tree.Plan }, disk);

        // imgedit.py setpartition 2 512 3072 gives these bytes.
        Assert.NotNull(result);
        Assert.Equal(3072, result.PartitionSize);
        MbrPartition entry = MbrPartition.Read(Bytes(disk, 0, 512), 2);
        Assert.Equal(1u, entry.StartLba);
        Assert.Equal(6u, entry.SectorCount);
    }

    [Fact]
    public void KernelLess_CommandLine_Warns()
    {
        using TestTree tree = TestTrees.Create("empty-files");
        var diagnostics = new DiagnosticBag();
        using FileStream disk = NewDisk();

        DiskAssembler.Assemble(new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan, CommandLine = "/hello" }, disk, diagnostics, TestContext.Current.CancellationToken);

        Assert.Equal(DiskDiagnosticCodes.CommandLineIgnored, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Chs_CapsAt1023Cylinders()
    {
        // imgedit.py setpartition 2 4194304 8585740288, computed with its chs().
        byte[] sector = new byte[512];

        MbrPartition.Write(sector, 2, 4194304, 8585740288);

        Assert.Equal("0082030083feffff0020000000e0ff00", Convert.ToHexStringLower(sector, 0x1BE + 16, 16));
    }

    [Fact]
    public void Chs_KernelLess512MiB()
    {
        // imgedit.py setpartition 2 512 536870400, computed with its chs().
        byte[] sector = new byte[512];

        MbrPartition.Write(sector, 2, 512, 536870400);

        Assert.Equal("000002008345451001000000ffff0f00", Convert.ToHexStringLower(sector, 0x1BE + 16, 16));
    }

    [Fact]
    public void TooSmall_ReportsNumbers()
    {
        using TestTree tree = TestTrees.Create("sample-app");
        var diagnostics = new DiagnosticBag();
        using FileStream disk = NewDisk();

        AssembledDisk? result = DiskAssembler.Assemble(
            new DiskLayout { FileSystem = new RofsWriter(), Plan = tree.Plan, VirtualSize = 64 * 1024 },
            disk,
            diagnostics,
            TestContext.Current.CancellationToken);

        Assert.Null(result);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(RofsDiagnosticCodes.PartitionTooSmall, error.Code);
        Assert.Contains("90112 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("65024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ramfs_EndsAtPartitionStart()
    {
        using TestTree tree = TestTrees.Create("empty-files");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"));
        using FileStream disk = NewDisk();

        AssembledDisk? result = Assemble(new DiskLayout { Kernel = kernel, FileSystem = new BootfsWriter(), Plan = tree.Plan }, disk);

        Assert.NotNull(result);
        Assert.Equal(2L << 20, disk.Length);
        Assert.Equal(0, result.PartitionSize);
    }

    [Fact]
    public void UnsupportedFileSystem_Reports()
    {
        using TestTree tree = TestTrees.Create("empty-files");
        KernelBundle kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, "kernel"), fileSystems: "[zfs]");
        var diagnostics = new DiagnosticBag();
        using FileStream disk = NewDisk();

        AssembledDisk? result = DiskAssembler.Assemble(new DiskLayout { Kernel = kernel, FileSystem = new RofsWriter(), Plan = tree.Plan }, disk, diagnostics, TestContext.Current.CancellationToken);

        Assert.Null(result);
        Assert.Equal(DiskDiagnosticCodes.FileSystemNotSupported, Assert.Single(diagnostics).Code);
    }

    private int _disks;

    // A sparse file, so that 512 MiB disks cost nothing.
    private FileStream NewDisk() =>
        new(Path.Combine(_folder, $"disk{_disks++}.raw"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose);

    private static byte[] Bytes(Stream disk, long offset, int count)
    {
        byte[] bytes = new byte[count];
        disk.Position = offset;
        disk.ReadExactly(bytes);
        return bytes;
    }

    private static AssembledDisk? Assemble(DiskLayout layout, Stream disk)
    {
        var diagnostics = new DiagnosticBag();
        AssembledDisk? result = DiskAssembler.Assemble(layout, disk, diagnostics, TestContext.Current.CancellationToken);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        return result;
    }
}
