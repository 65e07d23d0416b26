using System.Collections.Concurrent;
using System.Diagnostics;
using Osv.ImageBuilder.Run;

namespace Osv.Cli.Tests.Run;

public class QemuRunnerTests
{
    [Fact]
    public async Task Console_line_reaches_callback()
    {
        SkipWithoutQemu();
        using var temp = new TempDirectory();
        string kernel = ProbeKernel.Build(temp.Path);
        string disk = temp.Combine("disk.img");
        File.WriteAllBytes(disk, new byte[1 << 20]);
        var lines = new ConcurrentQueue<string>();

        // The guest halts forever after its line, so the test stops it as soon as the line arrives.
        using var seen = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        QemuRunResult result = await QemuRunner.RunAsync(new QemuRunOptions
        {
            ImagePath = disk,
            KernelPath = kernel,
            CommandLine = "--rootfs=rofs /hello.so",
            MemoryMiB = 64,
            Cpus = 1,
            Networking = false,
            Accelerator = QemuAccelerator.Tcg,
            Timeout = TimeSpan.FromSeconds(60),
            ConsoleLine = line =>
            {
                lines.Enqueue(line);
                if (line.Contains(ProbeKernel.Message, StringComparison.Ordinal))
                {
                    seen.Cancel();
                }
            },
        }, seen.Token);

        Assert.Contains(lines, line => line.Contains(ProbeKernel.Message, StringComparison.Ordinal));
        Assert.True(result.Cancelled);
        Assert.Contains("-kernel", result.Arguments);
    }

    [Fact]
    public async Task Timeout_stops_guest()
    {
        SkipWithoutQemu();
        using var temp = new TempDirectory();
        string kernel = ProbeKernel.Build(temp.Path);
        string disk = temp.Combine("disk.img");
        File.WriteAllBytes(disk, new byte[1 << 20]);
        var stopwatch = Stopwatch.StartNew();

        QemuRunResult result = await QemuRunner.RunAsync(new QemuRunOptions
        {
            ImagePath = disk,
            KernelPath = kernel,
            MemoryMiB = 64,
            Cpus = 1,
            Networking = false,
            Accelerator = QemuAccelerator.Tcg,
            Timeout = TimeSpan.FromSeconds(2),
            ConsoleLine = _ => { },
        }, TestContext.Current.CancellationToken);

        Assert.True(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"stopping took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Cancellation_stops_guest()
    {
        SkipWithoutQemu();
        using var temp = new TempDirectory();
        string kernel = ProbeKernel.Build(temp.Path);
        string disk = temp.Combine("disk.img");
        File.WriteAllBytes(disk, new byte[1 << 20]);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var stopwatch = Stopwatch.StartNew();

        QemuRunResult result = await QemuRunner.RunAsync(new QemuRunOptions
        {
            ImagePath = disk,
            KernelPath = kernel,
            MemoryMiB = 64,
            Networking = false,
            Accelerator = QemuAccelerator.Tcg,
            ConsoleLine = _ => { },
        }, cancellation.Token);

        Assert.True(result.Cancelled);
        Assert.False(result.TimedOut);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"stopping took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Missing_image_throws()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            QemuRunner.RunAsync(new QemuRunOptions { ImagePath = "/nonexistent/disk.img" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Missing_qemu_throws_with_package()
    {
        using var temp = new TempDirectory();
        string disk = temp.Combine("disk.img");
        File.WriteAllBytes(disk, new byte[512]);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => QemuRunner.RunAsync(
            new QemuRunOptions { ImagePath = disk, QemuPath = temp.Combine("no-such-qemu"), Accelerator = QemuAccelerator.Tcg },
            TestContext.Current.CancellationToken));

        Assert.Contains("qemu-system-x86", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KvmProbe_agrees_with_qemu()
    {
        SkipWithoutQemu();
        KvmProbeResult probe = KvmProbe.Probe("qemu-system-x86_64", TimeSpan.FromSeconds(10));
        if (!probe.Usable)
        {
            Assert.NotNull(probe.Reason);
            return;
        }

        // When the probe calls KVM usable, qemu must really run a guest under KVM.
        using var temp = new TempDirectory();
        string kernel = ProbeKernel.Build(temp.Path);
        string disk = temp.Combine("disk.img");
        File.WriteAllBytes(disk, new byte[1 << 20]);
        var lines = new ConcurrentQueue<string>();
        using var seen = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        QemuRunResult result = await QemuRunner.RunAsync(new QemuRunOptions
        {
            ImagePath = disk,
            KernelPath = kernel,
            MemoryMiB = 64,
            Cpus = 1,
            Networking = false,
            Accelerator = QemuAccelerator.Kvm,
            Timeout = TimeSpan.FromSeconds(60),
            ConsoleLine = line =>
            {
                lines.Enqueue(line);
                if (line.Contains(ProbeKernel.Message, StringComparison.Ordinal))
                {
                    seen.Cancel();
                }
            },
        }, seen.Token);

        Assert.Contains(lines, line => line.Contains(ProbeKernel.Message, StringComparison.Ordinal));
        Assert.Equal(QemuAccelerator.Kvm, result.Accelerator);
    }

    private static void SkipWithoutQemu()
    {
        if (!Processes.OnPath("qemu-system-x86_64") || !Processes.OnPath("ld"))
        {
            Assert.Skip("qemu-system-x86_64 or ld is not installed; run .ci/install-prerequisites.");
        }
    }
}
