using System.Runtime.InteropServices;

namespace Osv.ImageBuilder.Run;

/// <summary>
/// Finds out whether /dev/kvm can really run a guest. Opening the device is not enough: on some
/// nested or restricted hosts the device opens but creating or running a vCPU fails, and qemu then
/// aborts. The probe creates a VM with one 64 KiB memory slot filled with <c>hlt</c> instructions,
/// creates a vCPU and runs it until the first exit, which must be KVM_EXIT_HLT.
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

    // The stable KVM API version; every kernel since 2.6.22 reports 12.
    private const int ExpectedApiVersion = 12;

    // struct kvm_run: the u32 exit_reason follows two u8 flags and six bytes of padding.
    private const int KvmRunExitReasonOffset = 8;
    private const uint KvmExitHlt = 5;

    // A vCPU starts in real mode at CS base 0xFFFF0000, IP 0xFFF0, so one slot covering the top
    // 64 KiB below 4 GiB holds the reset vector.
    private const ulong ProbeSlotAddress = 0xFFFF_0000;
    private const int ProbeSlotSize = 0x1_0000;
    private const byte HltOpcode = 0xF4;

    private const int OpenReadWrite = 2;       // O_RDWR
    private const int OpenCloseOnExec = 0x80000; // O_CLOEXEC
    private const int ProtReadWrite = 3;       // PROT_READ | PROT_WRITE
    private const int MapShared = 1;           // MAP_SHARED
    private const int MapSharedAnonymous = 0x21; // MAP_SHARED | MAP_ANONYMOUS

    private static readonly Lazy<KvmProbeResult> Cached = new(() => Probe(TimeSpan.FromSeconds(5)));

    /// <summary>Gets the result of probing /dev/kvm once per process.</summary>
    public static KvmProbeResult Result => Cached.Value;

    /// <summary>
    /// Probes /dev/kvm now. The vCPU runs on a background thread, so a host that never returns
    /// from KVM_RUN counts as unusable after <paramref name="timeout"/> instead of hanging the caller.
    /// </summary>
    /// <param name="timeout">How long to wait for the vCPU's first exit.</param>
    /// <returns>Whether KVM is usable and, when it is not, why.</returns>
    public static KvmProbeResult Probe(TimeSpan timeout)
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
