using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.ImageBuilder.Inspect;
using Osv.ImageBuilder.Kernel;
using Osv.ImageBuilder.Run;
using Osv.ImageBuilder.Tests.Analyse;
using Osv.ImageBuilder.Tests.Zfs;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.OsvBuild;

/// <summary>
/// Boots images made entirely by this project (the bundle imported from OSV_BUILD_DIR, our filesystem
/// writers, the disk assembler and the container writer) under qemu with software emulation, and checks
/// what the programs print. Each boot takes from ten seconds to a few minutes. Skipped when
/// OSV_BUILD_DIR is unset or qemu-system-x86_64 is missing.
/// </summary>
public sealed class OsvBootTests(ImportedKernel kernel) : IClassFixture<ImportedKernel>
{
    // TCG on a busy two-core machine boots OSv in 10 to 60 seconds; the limit leaves room for that.
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(ContainerFormat.Raw)]
    [InlineData(ContainerFormat.Qcow2)]
    public async Task Rofs_RunsSharedAndPie(ContainerFormat format)
    {
        KernelBundle bundle = RequireKernel(FileSystemKind.Rofs);
        string folder = Directory.CreateDirectory(Path.Combine(kernel.Folder, "rofs-" + format)).FullName;
        ImagePlan plan = BasePlan(bundle, FileSystemKind.Rofs, folder);
        plan.AddFile("/hello.so", GuestPrograms.BuildSharedHello(folder), new FileInfo(Path.Combine(folder, "hello.so")).Length, origin: null);
        plan.AddFile("/hello-pie", GuestPrograms.BuildPieHello(folder), new FileInfo(Path.Combine(folder, "hello-pie")).Length, origin: null);
        Analyze(plan, ["/hello.so", "/hello-pie"], bundle);

        string image = WriteImage(bundle, plan, new RofsWriter(), format, "/hello.so; /hello-pie", Path.Combine(folder, "hello." + format.ToString().ToLowerInvariant()));
        (QemuRunResult result, List<string> console) = await BootAsync(image);

        Assert.False(result.TimedOut, "The guest did not finish within the time limit:\n" + string.Join('\n', console));
        Assert.Contains(console, line => line.Contains("OSv " + bundle.Profile.Version, StringComparison.Ordinal));
        Assert.Contains(GuestPrograms.SharedObjectGreeting, console);
        Assert.Contains(GuestPrograms.PieGreeting, console);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Zfs_FileIoKeepsPoolConsistent()
    {
        KernelBundle bundle = RequireKernel(FileSystemKind.Zfs);
        Zdb.RequireInstalled();
        string folder = Directory.CreateDirectory(Path.Combine(kernel.Folder, "zfs")).FullName;
        ImagePlan plan = BasePlan(bundle, FileSystemKind.Zfs, folder);
        string program = GuestPrograms.BuildFileIo(folder);
        plan.AddFile("/fileio", program, new FileInfo(program).Length, origin: null);
        Analyze(plan, ["/fileio"], bundle);

        var writer = new ZfsWriter(new ZfsWriterOptions
        {
            PoolName = bundle.ZfsPool,
            DatasetLayout = bundle.ZfsRootDataset == bundle.ZfsPool ? ZfsDatasetLayout.RootDataset : ZfsDatasetLayout.ChildDataset,
        });
        string image = WriteImage(bundle, plan, writer, ContainerFormat.Raw, "/fileio", Path.Combine(folder, "fileio.raw"));
        (QemuRunResult result, List<string> console) = await BootAsync(image);

        // What the guest printed.
        Assert.False(result.TimedOut, "The guest did not finish within the time limit:\n" + string.Join('\n', console));
        Assert.Contains(console, line => line.StartsWith("fileio: /etc/hosts: 127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(GuestPrograms.FileIoPassed, console);
        Assert.Equal(0, result.ExitCode);

        // What the guest left on the disk, read back with our reader.
        string partition = Path.Combine(folder, "pool", "partition2.raw");
        using (DiskImage disk = DiskImage.Open(image))
        {
            using (IFileSystemReader files = disk.OpenFileSystem())
            {
                IReadOnlyList<FileSystemEntry> entries = files.ReadTree();
                Assert.DoesNotContain(entries, e => e.GuestPath.StartsWith("/fileio-small", StringComparison.Ordinal));
                Assert.DoesNotContain(entries, e => e.GuestPath.StartsWith("/fileio-dir", StringComparison.Ordinal));
                using var kept = new MemoryStream();
                using (Stream content = files.OpenFile(GuestPrograms.KeptFile))
                {
                    content.CopyTo(kept);
                }

                Assert.Equal(GuestPrograms.ExpectedContent(GuestPrograms.KeptFileSize), kept.ToArray());
            }

            Directory.CreateDirectory(Path.GetDirectoryName(partition)!);
            using Stream source = disk.OpenPartition(2);
            using var copy = new FileStream(partition, FileMode.CreateNew, FileAccess.Write);
            source.CopyTo(copy);
        }

        // zdb reads every block, verifies every checksum (-cc) and counts the space (-b).
        (int exitCode, string output) = Zdb.Run("-e", "-p", Path.GetDirectoryName(partition)!, "-bcc", bundle.ZfsPool);
        IEnumerable<string> report = output.Split('\n').Where(line => !line.StartsWith("loading concrete vdev", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine($"zdb -e -p DIR -bcc {bundle.ZfsPool} (progress lines left out):\n{string.Join('\n', report)}");
        Assert.True(exitCode == 0, output);
        Assert.Empty(Zdb.ProblemLines(output));
    }

    // Returns the imported bundle, or skips when qemu is missing or the kernel cannot mount the filesystem.
    private KernelBundle RequireKernel(FileSystemKind fileSystem)
    {
        KernelBundle bundle = kernel.Bundle;
        if (!HostTools.Exists("qemu-system-x86_64"))
        {
            Assert.Skip("qemu-system-x86_64 is not installed; install qemu-system-x86 (see .ci/install-prerequisites).");
        }

        if (!bundle.FileSystems.Contains(fileSystem))
        {
            Assert.Skip($"The kernel in {OsvBuildEnvironment.BuildVariable} cannot mount {fileSystem.ToString().ToLowerInvariant()}; point it at an OSv build made with fs={fileSystem.ToString().ToLowerInvariant()}.");
        }

        return bundle;
    }

    private static ImagePlan BasePlan(KernelBundle bundle, FileSystemKind fileSystem, string folder)
    {
        var plan = new ImagePlan();
        bundle.AddBaseFiles(plan, fileSystem, Path.Combine(folder, "generated"));
        return plan;
    }

    // Checks the programs against the real kernel's profile, as a build does before it writes.
    private static void Analyze(ImagePlan plan, IReadOnlyList<string> programs, KernelBundle bundle)
    {
        var diagnostics = new DiagnosticBag();
        ElfAnalyzer.Analyze(plan, programs, bundle.Profile, new ElfAnalysisOptions(), diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics));
    }

    private static string WriteImage(KernelBundle bundle, ImagePlan plan, IFileSystemWriter fileSystem, ContainerFormat format, string commandLine, string path)
    {
        var layout = new DiskLayout { Kernel = bundle, Plan = plan, FileSystem = fileSystem, CommandLine = commandLine };
        var diagnostics = new DiagnosticBag();
        Assert.True(ImageFileWriter.Write(layout, path, format, options: null, diagnostics, TestContext.Current.CancellationToken) is not null, string.Join("\n", diagnostics));
        return path;
    }

    // Boots the image without a network card and returns qemu's result and the console lines.
    private static async Task<(QemuRunResult Result, List<string> Console)> BootAsync(string image)
    {
        var console = new List<string>();
        var options = new QemuRunOptions
        {
            ImagePath = image,
            Accelerator = QemuAccelerator.Tcg,
            Cpus = 1,
            Networking = false,
            Timeout = BootTimeout,
            ConsoleLine = line =>
            {
                lock (console)
                {
                    console.Add(line);
                }
            },
        };

        QemuRunResult result = await QemuRunner.RunAsync(options, TestContext.Current.CancellationToken);
        lock (console)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"qemu {string.Join(' ', result.Arguments)}\n{string.Join('\n', console)}");
            return (result, [.. console]);
        }
    }
}
