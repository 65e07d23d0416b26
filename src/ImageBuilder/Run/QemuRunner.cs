using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.Inspect;

namespace Osv.ImageBuilder.Run;

/// <summary>
/// Boots an OSv image in qemu-system-x86_64 with the serial console on standard input and output,
/// user-mode networking and, when /dev/kvm really works, KVM. The device set follows OSv's
/// scripts/run.py: virtio-blk for the disk, virtio-net for the network and virtio-rng.
/// </summary>
public static partial class QemuRunner
{
    // How long qemu gets to exit after SIGTERM before it is killed; qemu restores the terminal
    // settings on SIGTERM but not on SIGKILL.
    private static readonly TimeSpan TerminateGracePeriod = TimeSpan.FromSeconds(5);

    private const int SignalTerminate = 15; // SIGTERM

    /// <summary>Gets the accelerator arguments for KVM; OSv's run.py uses the host CPU model with x2APIC.</summary>
    internal static IReadOnlyList<string> KvmArguments { get; } = ["-accel", "kvm", "-cpu", "host,+x2apic"];

    /// <summary>Builds the qemu argument list for <paramref name="options"/> with a resolved accelerator.</summary>
    /// <param name="options">The run settings.</param>
    /// <param name="accelerator"><see cref="QemuAccelerator.Kvm"/> or <see cref="QemuAccelerator.Tcg"/>.</param>
    /// <param name="diskFormat">qemu's name for the disk's container format: raw, qcow2 or vmdk.</param>
    /// <returns>The arguments, without the executable.</returns>
    /// <exception cref="ArgumentException"><paramref name="accelerator"/> is <see cref="QemuAccelerator.Auto"/>.</exception>
    public static IReadOnlyList<string> BuildArguments(QemuRunOptions options, QemuAccelerator accelerator, string diskFormat)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diskFormat);
        if (accelerator == QemuAccelerator.Auto)
        {
            throw new ArgumentException("Resolve the accelerator to Kvm or Tcg first.", nameof(accelerator));
        }

        var arguments = new List<string>
        {
            "-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture) + "M",
            "-smp", options.Cpus.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
        };

        if (accelerator == QemuAccelerator.Kvm)
        {
            arguments.AddRange(KvmArguments);
        }
        else
        {
            arguments.AddRange(["-accel", "tcg"]);
        }

        // Kernel: a kernel-less disk boots an external kernel ELF through its PVH entry point.
        if (options.KernelPath is not null)
        {
            arguments.AddRange(["-kernel", options.KernelPath]);
            if (!string.IsNullOrEmpty(options.CommandLine))
            {
                arguments.AddRange(["-append", options.CommandLine]);
            }
        }

        // Disk: the guest names it /dev/vblk0 and the filesystem partition /dev/vblk0.1.
        arguments.AddRange(
        [
            "-device", "virtio-blk-pci,id=blk0,drive=hd0",
            "-drive", $"file={EscapeOptionValue(options.ImagePath)},format={diskFormat},if=none,id=hd0,cache=writeback,aio=threads",
        ]);

        // Network: user mode, with host ports bound to 127.0.0.1 only.
        if (options.Networking)
        {
            string netdev = "user,id=net0";
            foreach (PortForward forward in options.PortForwards)
            {
                netdev += ",hostfwd=" + forward.ToHostForward();
            }

            arguments.AddRange(["-netdev", netdev, "-device", "virtio-net-pci,netdev=net0"]);
        }
        else
        {
            arguments.AddRange(["-nic", "none"]);
        }

        arguments.AddRange(["-device", "virtio-rng-pci", "-serial", "stdio"]);
        return arguments;
    }

    /// <summary>Boots the image and waits until qemu exits, the timeout passes or the caller cancels.</summary>
    /// <param name="options">The run settings.</param>
    /// <param name="cancellationToken">Stops the guest: qemu gets SIGTERM, then SIGKILL after five seconds.</param>
    /// <returns>qemu's exit code, whether the run was stopped, and the arguments used.</returns>
    /// <exception cref="FileNotFoundException">The image or the kernel file does not exist.</exception>
    /// <exception cref="InvalidOperationException">qemu could not be started, for example because it is not installed.</exception>
    /// <exception cref="IOException">The image cannot be read.</exception>
    public static async Task<QemuRunResult> RunAsync(QemuRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.ImagePath))
        {
            throw new FileNotFoundException($"The image '{options.ImagePath}' does not exist.", options.ImagePath);
        }

        if (options.KernelPath is not null && !File.Exists(options.KernelPath))
        {
            throw new FileNotFoundException($"The kernel '{options.KernelPath}' does not exist.", options.KernelPath);
        }

        QemuAccelerator accelerator = ResolveAccelerator(options.Accelerator, options.QemuPath);
        IReadOnlyList<string> arguments = BuildArguments(options, accelerator, DetectFormat(options.ImagePath));

        using Process process = Start(options, arguments);
        bool timedOut = false;
        bool cancelled = false;
        using var timeout = new CancellationTokenSource();
        if (options.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            cancelled = cancellationToken.IsCancellationRequested;
            timedOut = !cancelled;
            await StopAsync(process);
        }

        // Drain the redirected console so that the last lines reach the callback.
        process.WaitForExit();
        return new QemuRunResult(process.ExitCode, timedOut, cancelled, accelerator, arguments);
    }

    /// <summary>Resolves <see cref="QemuAccelerator.Auto"/> with <see cref="KvmProbe"/>; other values are returned as they are.</summary>
    /// <param name="requested">The accelerator the caller asked for.</param>
    /// <param name="qemuPath">The qemu executable the probe starts.</param>
    public static QemuAccelerator ResolveAccelerator(QemuAccelerator requested, string qemuPath = "qemu-system-x86_64") =>
        requested != QemuAccelerator.Auto ? requested
        : KvmProbe.Cached(qemuPath).Usable ? QemuAccelerator.Kvm
        : QemuAccelerator.Tcg;

    // qemu's name for the container format, from the file's first bytes.
    private static string DetectFormat(string imagePath)
    {
        using FileStream file = File.OpenRead(imagePath);
        return DiskImage.Detect(file) switch
        {
            ContainerFormat.Qcow2 => "qcow2",
            ContainerFormat.Vmdk => "vmdk",
            _ => "raw",
        };
    }

    // Starts qemu with the console either inherited or redirected to the callback.
    private static Process Start(QemuRunOptions options, IReadOnlyList<string> arguments)
    {
        var startInfo = new ProcessStartInfo(options.QemuPath) { UseShellExecute = false };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        Action<string>? consoleLine = options.ConsoleLine;
        if (consoleLine is not null)
        {
            startInfo.RedirectStandardInput = true;
            startInfo.RedirectStandardOutput = true;
            startInfo.RedirectStandardError = true;
        }

        var process = new Process { StartInfo = startInfo };
        if (consoleLine is not null)
        {
            process.OutputDataReceived += (_, e) => Deliver(consoleLine, e.Data);
            process.ErrorDataReceived += (_, e) => Deliver(consoleLine, e.Data);
        }

        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            throw new InvalidOperationException(
                $"'{options.QemuPath}' could not be started ({exception.Message}); install Debian's qemu-system-x86 package or pass the path of qemu-system-x86_64.",
                exception);
        }

        if (consoleLine is not null)
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        return process;
    }

    private static void Deliver(Action<string> consoleLine, string? line)
    {
        if (line is not null)
        {
            consoleLine(line);
        }
    }

    // Asks qemu to exit with SIGTERM and kills it when it does not within the grace period.
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Kill(process.Id, SignalTerminate);
            using var grace = new CancellationTokenSource(TerminateGracePeriod);
            try
            {
                await process.WaitForExitAsync(grace.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                // Falls through to SIGKILL.
            }
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
    }

    // qemu option values end at a comma; a literal comma is written twice.
    private static string EscapeOptionValue(string value) => value.Replace(",", ",,", StringComparison.Ordinal);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);
}
