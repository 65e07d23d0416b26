namespace Osv.ImageBuilder.Run;

/// <summary>How <see cref="QemuRunner"/> boots an image.</summary>
public sealed record QemuRunOptions
{
    /// <summary>Gets the disk image to boot: raw, qcow2 or vmdk; the format is read from the file's first bytes.</summary>
    public required string ImagePath { get; init; }

    /// <summary>
    /// Gets the OSv kernel ELF (loader-stripped.elf) passed with <c>-kernel</c>, for a kernel-less disk;
    /// null boots the kernel stored on the disk.
    /// </summary>
    public string? KernelPath { get; init; }

    /// <summary>
    /// Gets the OSv command line passed with <c>-append</c>; it is used only with <see cref="KernelPath"/>,
    /// because a disk with a kernel stores its own command line.
    /// </summary>
    public string? CommandLine { get; init; }

    /// <summary>Gets the guest memory in MiB; OSv needs at least 64 MiB for a small program.</summary>
    public int MemoryMiB { get; init; } = 1024;

    /// <summary>Gets the number of virtual CPUs.</summary>
    public int Cpus { get; init; } = 2;

    /// <summary>Gets the ports of 127.0.0.1 forwarded to the guest through user-mode networking.</summary>
    public IReadOnlyList<PortForward> PortForwards { get; init; } = [];

    /// <summary>Gets whether the guest gets a virtio-net card on qemu's user-mode network.</summary>
    public bool Networking { get; init; } = true;

    /// <summary>Gets the accelerator; <see cref="QemuAccelerator.Auto"/> probes /dev/kvm.</summary>
    public QemuAccelerator Accelerator { get; init; } = QemuAccelerator.Auto;

    /// <summary>Gets how long the guest may run before it is stopped, or null for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the qemu executable, looked up on PATH when it has no directory.</summary>
    public string QemuPath { get; init; } = "qemu-system-x86_64";

    /// <summary>
    /// Gets a callback that receives each line of the serial console, or null to connect the console
    /// to this process's standard input and output.
    /// </summary>
    public Action<string>? ConsoleLine { get; init; }
}
