using Osv.ImageBuilder.Run;

namespace Osv.Cli.Tests.Run;

public class QemuArgumentsTests
{
    private static readonly QemuRunOptions Basic = new() { ImagePath = "/images/a,b.img" };

    [Fact]
    public void Tcg_has_no_host_cpu()
    {
        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(Basic, QemuAccelerator.Tcg, "raw");

        Assert.Equal("tcg", After(arguments, "-accel"));
        Assert.DoesNotContain("host,+x2apic", arguments);
    }

    [Fact]
    public void Kvm_uses_host_cpu()
    {
        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(Basic, QemuAccelerator.Kvm, "raw");

        Assert.Equal("kvm", After(arguments, "-accel"));
        Assert.Equal("host,+x2apic", After(arguments, "-cpu"));
    }

    [Fact]
    public void Drive_escapes_comma_and_names_format()
    {
        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(Basic, QemuAccelerator.Tcg, "qcow2");

        Assert.StartsWith("file=/images/a,,b.img,format=qcow2,", After(arguments, "-drive"), StringComparison.Ordinal);
    }

    [Fact]
    public void External_kernel_gets_append()
    {
        QemuRunOptions options = Basic with { KernelPath = "/k/loader-stripped.elf", CommandLine = "--rootfs=rofs /hello.so" };

        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(options, QemuAccelerator.Tcg, "raw");

        Assert.Equal("/k/loader-stripped.elf", After(arguments, "-kernel"));
        Assert.Equal("--rootfs=rofs /hello.so", After(arguments, "-append"));
    }

    [Fact]
    public void Disk_kernel_gets_no_append()
    {
        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(Basic with { CommandLine = "/hello.so" }, QemuAccelerator.Tcg, "raw");

        Assert.DoesNotContain("-kernel", arguments);
        Assert.DoesNotContain("-append", arguments);
    }

    [Fact]
    public void Forwards_bind_loopback_only()
    {
        QemuRunOptions options = Basic with { PortForwards = [new PortForward(8080, 80), new PortForward(5353, 53, Udp: true)] };

        string netdev = After(QemuRunner.BuildArguments(options, QemuAccelerator.Tcg, "raw"), "-netdev");

        Assert.Equal("user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:127.0.0.1:5353-:53", netdev);
    }

    [Fact]
    public void No_network_has_no_nic()
    {
        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(Basic with { Networking = false }, QemuAccelerator.Tcg, "raw");

        Assert.Equal("none", After(arguments, "-nic"));
        Assert.DoesNotContain("-netdev", arguments);
    }

    [Fact]
    public void Memory_cpus_and_console()
    {
        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(Basic with { MemoryMiB = 256, Cpus = 3 }, QemuAccelerator.Tcg, "raw");

        Assert.Equal("256M", After(arguments, "-m"));
        Assert.Equal("3", After(arguments, "-smp"));
        Assert.Equal("stdio", After(arguments, "-serial"));
    }

    [Fact]
    public void Auto_accelerator_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => QemuRunner.BuildArguments(Basic, QemuAccelerator.Auto, "raw"));
    }

    private static string After(IReadOnlyList<string> arguments, string option)
    {
        int index = arguments.ToList().IndexOf(option);
        Assert.True(index >= 0, $"{option} is missing from: {string.Join(' ', arguments)}");
        Assert.True(index + 1 < arguments.Count, $"{option} has no value in: {string.Join(' ', arguments)}");
        return arguments[index + 1];
    }
}
