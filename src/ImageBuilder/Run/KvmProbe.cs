using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Osv.ImageBuilder.Run;

/// <summary>
/// Finds out whether /dev/kvm can really run a guest. Opening the device is not enough: on some
/// nested or restricted hosts the device opens but creating or running a vCPU fails, or qemu aborts
/// while it loads the host CPU model's MSRs ("failed to set MSR"). The probe has two steps. First it
/// creates a VM with one 64 KiB memory slot filled with <c>hlt</c> instructions, creates a vCPU and
/// runs it until the first exit, which must be KVM_EXIT_HLT. Then it starts qemu with the same
/// accelerator and CPU model as <see cref="QemuRunner"/> and waits until the firmware prints its
/// banner, which shows that qemu created the vCPUs and ran guest code.
/// </summary>
public static partial class KvmProbe
{
    // ioctl request numbers from <linux/kvm.h>: _IO(KVMIO = 0xAE, nr) and _IOW for the memory region.
    private const nuint KvmGetApiVersion = 0xAE00;
    private const nuint KvmCreateVm = 0xAE01;
    private const nuint KvmGetVcpuMmapSize = 0xAE04;
    private const nuint KvmCreateVcpu = 0xAE41;
    private const nuint KvmSetUserMemoryRegion = 0x4020AE46;
    private const nuint KvmRun = 0xAE80;

    // KVM_API_VERSION of <linux/kvm.h>, the only version a kernel with the stable API reports.
    private const int ExpectedApiVersion = 12;

    // struct kvm_run: the u32 exit_reason follows two u8 flags and six bytes of padding.
    private const int KvmRunExitReasonOffset = 8;
    private const uint KvmExitHlt = 5;

    // A vCPU starts in real mode at CS base 0xFFFF0000, IP 0xFFF0, so one slot covering the top
    // 64 KiB below 4 GiB contains the reset vector.
    private const ulong ProbeSlotAddress = 0xFFFF_0000;
    private const int ProbeSlotSize = 0x1_0000;
    private const byte HltOpcode = 0xF4;

    // The first word SeaBIOS, qemu's x86 firmware, writes to its debug console.
    private const string FirmwareBanner = "SeaBIOS";

    private const int OpenReadWrite = 2;       // O_RDWR
    private const int OpenCloseOnExec = 0x80000; // O_CLOEXEC
    private const int ProtReadWrite = 3;       // PROT_READ | PROT_WRITE
    private const int MapShared = 1;           // MAP_SHARED
    private const int MapSharedAnonymous = 0x21; // MAP_SHARED | MAP_ANONYMOUS

    private static readonly Dictionary<string, KvmProbeResult> Cache = new(StringComparer.Ordinal);
    private static readonly Lock CacheLock = new();

    /// <summary>Probes once per process and qemu executable, with a 10-second limit for each step.</summary>
    /// <param name="qemuPath">The qemu executable that will run the guest.</param>
    /// <returns>Whether KVM is usable and, when it is not, why.</returns>
    public static KvmProbeResult Cached(string qemuPath = "qemu-system-x86_64")
    {
        ArgumentNullException.ThrowIfNull(qemuPath);
        lock (CacheLock)
        {
            if (!Cache.TryGetValue(qemuPath, out KvmProbeResult? result))
            {
                result = Probe(qemuPath, TimeSpan.FromSeconds(10));
                Cache.Add(qemuPath, result);
            }

            return result;
        }
    }

    /// <summary>
    /// Probes /dev/kvm and qemu now. Both steps are bounded by <paramref name="timeout"/>, so a host
    /// that never returns from KVM_RUN or a qemu that hangs counts as unusable instead of hanging the caller.
    /// </summary>
    /// <param name="qemuPath">The qemu executable that will run the guest.</param>
    /// <param name="timeout">How long each step may take.</param>
    /// <returns>Whether KVM is usable and, when it is not, why.</returns>
    public static KvmProbeResult Probe(string qemuPath, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(qemuPath);
        KvmProbeResult device = ProbeDevice(timeout);
        return device.Usable ? ProbeQemu(qemuPath, timeout) : device;
    }

    // Runs the one-instruction guest on a background thread.
    private static KvmProbeResult ProbeDevice(TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new KvmProbeResult(false, "KVM exists only on Linux.");
        }

        if (!File.Exists("/dev/kvm"))
        {
            return new KvmProbeResult(false, "/dev/kvm does not exist.");
        }

        KvmProbeResult? result = null;
        var thread = new Thread(() => result = RunHaltGuest()) { IsBackground = true, Name = "kvm-probe" };
        thread.Start();
        if (!thread.Join(timeout))
        {
            return new KvmProbeResult(false, "a test vCPU on /dev/kvm did not stop within the probe's time limit.");
        }

        return result ?? new KvmProbeResult(false, "the KVM probe failed.");
    }

    // Boots qemu's firmware under KVM with the runner's CPU model and waits for SeaBIOS's first line
    // on the debug console (I/O port 0x402), which proves that guest code ran.
    private static KvmProbeResult ProbeQemu(string qemuPath, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(qemuPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] probeArguments =
        [
            "-nodefaults", "-no-user-config", "-display", "none", "-m", "16M",
            "-chardev", "stdio,id=probe", "-device", "isa-debugcon,iobase=0x402,chardev=probe",
        ];
        foreach (string argument in QemuRunner.KvmArguments.Concat(probeArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (Win32Exception exception)
        {
            return new KvmProbeResult(false, $"'{qemuPath}' could not be started ({exception.Message}).");
        }

        using (process)
        {
            Task<string> error = process.StandardError.ReadToEndAsync();
            Task<bool> firmwareRan = Task.Run(() =>
            {
                string? line;
                while ((line = process.StandardOutput.ReadLine()) is not null)
                {
                    if (line.Contains(FirmwareBanner, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            });
            bool usable = firmwareRan.Wait(timeout) && firmwareRan.Result;

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit();
            if (usable)
            {
                return new KvmProbeResult(true, null);
            }

            string firstError = error.Wait(timeout) ? error.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? string.Empty : string.Empty;
            return new KvmProbeResult(false, $"qemu could not run a KVM guest with the host CPU model ({(firstError.Length > 0 ? firstError.Trim() : "no output from the firmware")}).");
        }
    }

    // Runs the one-instruction guest and reports the first failing step.
    private static unsafe KvmProbeResult RunHaltGuest()
    {
        int kvm = -1, vm = -1, vcpu = -1;
        void* memory = null;
        void* run = null;
        nuint runSize = 0;
        try
        {
            kvm = Open("/dev/kvm", OpenReadWrite | OpenCloseOnExec);
            if (kvm < 0)
            {
                return Failed("opening /dev/kvm");
            }

            if (Ioctl(kvm, KvmGetApiVersion, 0) != ExpectedApiVersion)
            {
                return new KvmProbeResult(false, "/dev/kvm reports an unexpected API version.");
            }

            vm = Ioctl(kvm, KvmCreateVm, 0);
            if (vm < 0)
            {
                return Failed("KVM_CREATE_VM");
            }

            memory = Mmap(null, ProbeSlotSize, ProtReadWrite, MapSharedAnonymous, -1, 0);
            if (memory == (void*)-1)
            {
                memory = null;
                return Failed("allocating the probe's guest memory");
            }

            new Span<byte>(memory, ProbeSlotSize).Fill(HltOpcode);
            var region = new UserspaceMemoryRegion
            {
                Slot = 0,
                Flags = 0,
                GuestPhysicalAddress = ProbeSlotAddress,
                MemorySize = ProbeSlotSize,
                UserspaceAddress = (ulong)memory,
            };
            if (Ioctl(vm, KvmSetUserMemoryRegion, (nint)(&region)) < 0)
            {
                return Failed("KVM_SET_USER_MEMORY_REGION");
            }

            vcpu = Ioctl(vm, KvmCreateVcpu, 0);
            if (vcpu < 0)
            {
                return Failed("KVM_CREATE_VCPU");
            }

            int mmapSize = Ioctl(kvm, KvmGetVcpuMmapSize, 0);
            if (mmapSize < KvmRunExitReasonOffset + sizeof(uint))
            {
                return Failed("KVM_GET_VCPU_MMAP_SIZE");
            }

            runSize = (nuint)mmapSize;
            run = Mmap(null, runSize, ProtReadWrite, MapShared, vcpu, 0);
            if (run == (void*)-1)
            {
                run = null;
                return Failed("mapping the vCPU's run structure");
            }

            if (Ioctl(vcpu, KvmRun, 0) < 0)
            {
                return Failed("KVM_RUN");
            }

            uint exitReason = *(uint*)((byte*)run + KvmRunExitReasonOffset);
            return exitReason == KvmExitHlt
                ? new KvmProbeResult(true, null)
                : new KvmProbeResult(false, $"a test vCPU on /dev/kvm stopped with exit reason {exitReason} instead of a halt.");
        }
        finally
        {
            if (run is not null)
            {
                _ = Munmap(run, runSize);
            }

            if (memory is not null)
            {
                _ = Munmap(memory, ProbeSlotSize);
            }

            CloseIfOpen(vcpu);
            CloseIfOpen(vm);
            CloseIfOpen(kvm);
        }
    }

    private static KvmProbeResult Failed(string step) =>
        new(false, $"{step} failed on /dev/kvm ({Marshal.GetLastPInvokeErrorMessage()}).");

    private static void CloseIfOpen(int descriptor)
    {
        if (descriptor >= 0)
        {
            _ = Close(descriptor);
        }
    }

    // struct kvm_userspace_memory_region from <linux/kvm.h>, 32 bytes.
    [StructLayout(LayoutKind.Sequential)]
    private struct UserspaceMemoryRegion
    {
        public uint Slot;
        public uint Flags;
        public ulong GuestPhysicalAddress;
        public ulong MemorySize;          // bytes
        public ulong UserspaceAddress;    // host virtual address of the backing memory
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int descriptor, nuint request, nint argument);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static unsafe partial void* Mmap(void* address, nuint length, int protection, int flags, int descriptor, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static unsafe partial int Munmap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}

/// <summary>The outcome of <see cref="KvmProbe.Probe"/>.</summary>
/// <param name="Usable">True when a test vCPU ran and halted.</param>
/// <param name="Reason">Why KVM is not usable, or null when it is.</param>
public sealed record KvmProbeResult(bool Usable, string? Reason);
