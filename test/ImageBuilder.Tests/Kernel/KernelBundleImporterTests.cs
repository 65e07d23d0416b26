using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Tests.Kernel;

/// <summary>
/// The importer on a synthetic OSv source tree with a build/release folder, since no OSv build exists
/// here: loader-stripped.elf is a shared object built with gcc, loader.img a generated boot image.
/// </summary>
public sealed class KernelBundleImporterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("osv-import-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Import_ReadsSymbolsFromElf()
    {
        KernelBundle bundle = ImportSynthetic();

        IReadOnlySet<string> symbols = bundle.Profile.ExportedSymbols!;
        Assert.Contains("malloc_stand_in", symbols);
        Assert.Contains("pthread_create_stand_in", symbols);
        Assert.DoesNotContain("hidden_helper", symbols);
    }

    [Fact]
    public void Import_ReadsMachineAndRange()
    {
        KernelBundle bundle = ImportSynthetic();

        Assert.Equal(62, bundle.Profile.Machine);
        Assert.Equal("x86_64", bundle.Profile.Architecture);
        Assert.True(bundle.Profile.KernelEnd > bundle.Profile.KernelStart);
    }

    [Fact]
    public void Import_CopiesBaseFilesAndHeaders()
    {
        KernelBundle bundle = ImportSynthetic();

        Assert.Equal(
            ["/libenviron.so", "/tools/mount-fs.so", "/tools/umount.so", "/etc/hosts", "/etc/mnttab", "/etc/fstab", "/etc/fstab", "/dev", "/proc", "/sys", "/tmp", "/data"],
            bundle.BaseFiles.Select(f => f.GuestPath));
        KernelBaseFile rofsFstab = bundle.BaseFilesFor(FileSystemKind.Rofs).Single(f => f.GuestPath == "/etc/fstab");
        Assert.Equal("from static/etc/fstab_rofs\n", File.ReadAllText(rofsFstab.Source!));
        Assert.True(File.Exists(Path.Combine(Assert.Single(bundle.HeaderDirectories), "osv", "app.h")));
    }

    [Fact]
    public void Import_BootImageUsable()
    {
        KernelBundle bundle = ImportSynthetic();

        Assert.Equal(File.ReadAllBytes(Path.Combine(_root, "osv", "build", "release", "loader.img")), File.ReadAllBytes(bundle.BootImagePath!));
    }

    [Fact]
    public void Import_MissingLoader_Reports()
    {
        string build = Path.Combine(_root, "empty-build");
        Directory.CreateDirectory(build);
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleImporter.Import(build, Path.Combine(_root, "bundle"), diagnostics);

        Assert.Null(bundle);
        Assert.Equal(2, diagnostics.Count(d => d.Code == KernelDiagnosticCodes.MissingBuildOutput));
    }

    // Lays out osv/{include, static/etc, build/release} and imports build/release.
    private KernelBundle ImportSynthetic()
    {
        string source = Path.Combine(_root, "osv");
        string build = Path.Combine(source, "build", "release");
        Directory.CreateDirectory(Path.Combine(build, "tools", "mount"));
        Directory.CreateDirectory(Path.Combine(source, "include", "osv"));
        Directory.CreateDirectory(Path.Combine(source, "static", "etc"));
        SyntheticKernel.WriteBootImage(Path.Combine(build, "loader.img"));
        SyntheticKernel.BuildSharedObject(Path.Combine(build, "loader-stripped.elf"), "malloc_stand_in", "pthread_create_stand_in");
        SyntheticKernel.BuildSharedObject(Path.Combine(build, "libenviron.so"), "environ_stand_in");
        SyntheticKernel.BuildSharedObject(Path.Combine(build, "tools", "mount", "mount-fs.so"), "mount_stand_in");
        SyntheticKernel.BuildSharedObject(Path.Combine(build, "tools", "mount", "umount.so"), "umount_stand_in");
        File.WriteAllText(Path.Combine(source, "include", "osv", "app.h"), "#pragma once\n");
        File.WriteAllText(Path.Combine(source, "static", "etc", "fstab_rofs"), "from static/etc/fstab_rofs\n");
        File.WriteAllText(Path.Combine(source, "static", "etc", "fstab"), "from static/etc/fstab\n");
        File.WriteAllText(Path.Combine(source, "static", "etc", "hosts"), "127.0.0.1 localhost\n");
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleImporter.Import(build, Path.Combine(_root, "bundle"), diagnostics);

        Assert.True(bundle is not null, string.Join("\n", diagnostics));
        Assert.Empty(diagnostics);
        return bundle;
    }
}
