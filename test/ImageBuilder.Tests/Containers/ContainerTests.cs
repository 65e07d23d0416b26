using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Kernel;
using Osv.ImageBuilder.Tests.FileSystems;
using Osv.ImageBuilder.Tests.Kernel;

namespace Osv.ImageBuilder.Tests.Containers;

/// <summary>The container writers judged by qemu-img: each file passes 'qemu-img check' and equals the raw disk.</summary>
public sealed class ContainerTests : IClassFixture<ContainerTests.Images>
{
    private readonly Images _images;

    public ContainerTests(Images images)
    {
        _images = images;
    }

    public static TheoryData<string> Containers => new("plain.qcow2", "compressed.qcow2", "disk.vmdk");

    [Theory]
    [MemberData(nameof(Containers))]
    public void QemuImgCheck_FindsNoErrors(string name)
    {
        if (!QemuImg.Available)
        {
            Assert.Skip("qemu-img is not installed (Debian package qemu-utils).");
        }

        (int exitCode, string output) = QemuImg.Run("check", "-f", Format(name), _images.PathOf(name));

        Assert.True(exitCode == 0, $"qemu-img check exited with {exitCode}: {output}");
        Assert.Contains("No errors were found", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Containers))]
    public void QemuImgCompare_EqualsRaw(string name)
    {
        if (!QemuImg.Available)
        {
            Assert.Skip("qemu-img is not installed (Debian package qemu-utils).");
        }

        (int exitCode, string output) = QemuImg.Run("compare", "-f", "raw", "-F", Format(name), _images.PathOf("disk.raw"), _images.PathOf(name));

        Assert.True(exitCode == 0, $"qemu-img compare exited with {exitCode}: {output}");
    }

    [Theory]
    [MemberData(nameof(Containers))]
    public void Writer_IsReproducible(string name)
    {
        // The same name in another folder, because the VMDK descriptor names its file.
        string again = Path.Combine(Directory.CreateDirectory(Path.Combine(_images.Folder, "again")).FullName, name);

        _images.Write(again);

        Assert.Equal(File.ReadAllBytes(_images.PathOf(name)), File.ReadAllBytes(again));
    }

    [Fact]
    public void Compression_MakesFileSmaller()
    {
        long plain = new FileInfo(_images.PathOf("plain.qcow2")).Length;
        long compressed = new FileInfo(_images.PathOf("compressed.qcow2")).Length;

        Assert.True(compressed < plain, $"compressed {compressed} bytes, plain {plain} bytes");
    }

    [Fact]
    public void Raw_IsSparse()
    {
        long allocated = Images.AllocatedBytes(_images.PathOf("disk.raw"));

        Assert.True(allocated < 8L << 20, $"The 512 MiB raw disk allocates {allocated} bytes.");
    }

    private static string Format(string name) => name.EndsWith(".vmdk", StringComparison.Ordinal) ? "vmdk" : "qcow2";

    /// <summary>One disk (sample tree, incompressible data, synthetic kernel) written in every format once for the class.</summary>
    public sealed class Images : IDisposable
    {
        private readonly TestTree _tree;
        private readonly KernelBundle _kernel;

        public Images()
        {
            Folder = Directory.CreateTempSubdirectory("osv-containers-").FullName;
            _tree = TestTrees.Create("sample-app");
            _tree.RandomFile("/data/random.bin", 300_000, seed: 42);
            _tree.File("/data/pattern.bin", 1_000_000, seed: 43);
            _kernel = SyntheticKernel.CreateBundle(Path.Combine(Folder, "kernel"));
            foreach (string name in new[] { "disk.raw", "plain.qcow2", "compressed.qcow2", "disk.vmdk" })
            {
                Write(PathOf(name));
            }
        }

        public string Folder { get; }

        public string PathOf(string name) => Path.Combine(Folder, name);

        // Writes the disk in the format the file name shows.
        public void Write(string path)
        {
            string name = Path.GetFileName(path);
            ContainerFormat format = name.EndsWith(".vmdk", StringComparison.Ordinal) ? ContainerFormat.Vmdk
                : name.EndsWith(".qcow2", StringComparison.Ordinal) ? ContainerFormat.Qcow2
                : ContainerFormat.Raw;
            var diagnostics = new DiagnosticBag();
            AssembledDisk? disk = ImageFileWriter.Write(
                new DiskLayout { Kernel = _kernel, FileSystem = new RofsWriter(), Plan = _tree.Plan, CommandLine = "/hello" },
                path,
                format,
                new ContainerOptions { Compress = name.Contains("compressed", StringComparison.Ordinal) },
                diagnostics);
            Assert.True(disk is not null, string.Join("\n", diagnostics));
        }

        // Returns the bytes a file occupies on disk, from stat's block count.
        public static long AllocatedBytes(string path)
        {
            var start = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true };
            using var process = System.Diagnostics.Process.Start(start)!;
            string[] parts = process.StandardOutput.ReadToEnd().Trim().Split(' ');
            process.WaitForExit();
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            _tree.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }
}
