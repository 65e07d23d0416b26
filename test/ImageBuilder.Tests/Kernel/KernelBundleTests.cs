using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Kernel;

public sealed class KernelBundleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("osv-kernel-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Generic_HasLate2026Facts()
    {
        KernelBundle generic = KernelBundle.Generic;

        Assert.Null(generic.BootImagePath);
        Assert.Equal("x86_64", generic.Profile.Architecture);
        Assert.Equal(62, generic.Profile.Machine);
        Assert.True(generic.Profile.AcceptsExecutables);
        Assert.Equal(0x40200000UL, generic.Profile.KernelStart);
        Assert.Contains("libc.so.6", generic.Profile.ProvidedSonames);
        Assert.DoesNotContain("libstdc++.so.6", generic.Profile.ProvidedSonames);
        Assert.Equal("osv", generic.ZfsRootDataset);
    }

    [Fact]
    public void Generic_AddsRofsBaseFiles()
    {
        var plan = new ImagePlan();

        KernelBundle.Generic.AddBaseFiles(plan, FileSystemKind.Rofs, Path.Combine(_folder, "scratch"));

        Assert.Equal(["/etc/hosts", "/etc/mnttab", "/etc/fstab", "/dev", "/proc", "/sys", "/tmp", "/data"], plan.Entries.Select(e => e.GuestPath));
        var fstab = (GuestFile)plan.Find("/etc/fstab")!;
        Assert.StartsWith("/dev/vblk0.1 /          rofs", File.ReadAllText(fstab.HostPath), StringComparison.Ordinal);
        Assert.Equal("/proc/mounts", ((GuestSymlink)plan.Find("/etc/mnttab")!).Target);
    }

    [Fact]
    public void Generic_AddsZfsFstab()
    {
        var plan = new ImagePlan();

        KernelBundle.Generic.AddBaseFiles(plan, FileSystemKind.Zfs, Path.Combine(_folder, "scratch"));

        var fstab = (GuestFile)plan.Find("/etc/fstab")!;
        Assert.StartsWith("/dev/vblk0.1 /          zfs", File.ReadAllText(fstab.HostPath), StringComparison.Ordinal);
        Assert.Null(plan.Find("/data"));
    }

    [Fact]
    public void Load_MissingFolder_Reports()
    {
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundle.Load(Path.Combine(_folder, "nothing"), diagnostics);

        Assert.Null(bundle);
        Assert.Equal(KernelDiagnosticCodes.BundleNotFound, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Load_InvalidYaml_GivesLine()
    {
        File.WriteAllText(Path.Combine(_folder, KernelBundle.DescriptionFileName), "formatVersion: 1\narchitecture: x86_64\nmachine: [not, a, number]\n");
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundle.Load(_folder, diagnostics);

        Assert.Null(bundle);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(KernelDiagnosticCodes.InvalidYaml, error.Code);
        Assert.Equal(3, error.Location?.Line);
    }

    [Fact]
    public void Load_UnknownKey_Reports()
    {
        File.WriteAllText(Path.Combine(_folder, KernelBundle.DescriptionFileName), "formatVersion: 1\narchitectur: x86_64\n");
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundle.Load(_folder, diagnostics);

        Assert.Null(bundle);
        Assert.Contains("architectur", Assert.Single(diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingBootImage_Reports()
    {
        SyntheticKernel.CreateBundle(_folder);
        File.Delete(Path.Combine(_folder, "loader.img"));
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundle.Load(_folder, diagnostics);

        Assert.Null(bundle);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(KernelDiagnosticCodes.MissingFile, error.Code);
        Assert.Contains("bootImage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BootImageWithoutSignature_Reports()
    {
        SyntheticKernel.CreateBundle(_folder);
        byte[] image = File.ReadAllBytes(Path.Combine(_folder, "loader.img"));
        image[511] = 0;
        File.WriteAllBytes(Path.Combine(_folder, "loader.img"), image);
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundle.Load(_folder, diagnostics);

        Assert.Null(bundle);
        Assert.Equal(KernelDiagnosticCodes.InvalidBootImage, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Load_PathOutsideBundle_Reports()
    {
        SyntheticKernel.CreateBundle(_folder);
        string description = Path.Combine(_folder, KernelBundle.DescriptionFileName);
        File.WriteAllText(description, File.ReadAllText(description).Replace("bootImage: loader.img", "bootImage: ../../etc/passwd", StringComparison.Ordinal));
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundle.Load(_folder, diagnostics);

        Assert.Null(bundle);
        Assert.Contains("outside the bundle folder", Assert.Single(diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ChildZfsDataset_IsKept()
    {
        SyntheticKernel.CreateBundle(_folder);
        File.AppendAllText(Path.Combine(_folder, KernelBundle.DescriptionFileName), "\nzfs:\n  pool: osv\n  rootDataset: osv/zfs\n");
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundle.Load(_folder, diagnostics);

        Assert.Equal("osv/zfs", bundle?.ZfsRootDataset);
    }
}
