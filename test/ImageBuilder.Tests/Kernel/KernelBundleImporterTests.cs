using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Tests.Kernel;

/// <summary>
/// The importer on a synthetic OSv source tree whose build/release folder has the layout of OSv v0.57.0
/// (see <see cref="SyntheticOsvTree"/>). Tests on a real build are in OsvBuild/RealKernelImportTests.
/// </summary>
public sealed class KernelBundleImporterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("osv-import-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Import_ReadsDynamicSymbols()
    {
        KernelBundle bundle = Import(SyntheticOsvTree.Create(_root));

        IReadOnlySet<string> symbols = bundle.Profile.ExportedSymbols!;
        Assert.Contains("malloc_stand_in", symbols);
        Assert.Contains("protected_stand_in", symbols);
        Assert.DoesNotContain("hidden_helper", symbols);
        Assert.DoesNotContain("undefined_stand_in", symbols);
    }

    [Fact]
    public void Import_ReadsMachineAndRange()
    {
        KernelBundle bundle = Import(SyntheticOsvTree.Create(_root));

        Assert.Equal(62, bundle.Profile.Machine);
        Assert.Equal("x86_64", bundle.Profile.Architecture);
        Assert.Equal(0UL, bundle.Profile.KernelStart);
        Assert.True(bundle.Profile.KernelEnd > 0x1000, $"end 0x{bundle.Profile.KernelEnd:X}");
    }

    [Fact]
    public void Import_VersionFromHeader()
    {
        KernelBundle bundle = Import(SyntheticOsvTree.Create(_root));

        Assert.Equal(SyntheticOsvTree.HeaderVersion, bundle.Profile.Version);
        Assert.Equal(SyntheticOsvTree.HeaderVersion, bundle.Name);
    }

    [Fact]
    public void Import_VersionFromBanner()
    {
        KernelBundle bundle = Import(SyntheticOsvTree.Create(_root, versionHeader: false));

        Assert.Equal(SyntheticOsvTree.BannerVersion, bundle.Profile.Version);
    }

    [Fact]
    public void Import_ZfsNeedsDriverInBootfs()
    {
        KernelBundle withDriver = Import(SyntheticOsvTree.Create(Path.Combine(_root, "zfs")));
        KernelBundle withoutDriver = Import(SyntheticOsvTree.Create(Path.Combine(_root, "rofs"), zfsInBootfs: false));

        Assert.Equal([FileSystemKind.Zfs, FileSystemKind.Rofs], withDriver.FileSystems);
        Assert.Equal([FileSystemKind.Rofs], withoutDriver.FileSystems);
        Assert.Equal("osv", withDriver.ZfsRootDataset);
    }

    [Fact]
    public void Import_LibstdcxxUnlessHidden()
    {
        KernelBundle visible = Import(SyntheticOsvTree.Create(Path.Combine(_root, "visible"), hideSymbols: 0));
        KernelBundle hidden = Import(SyntheticOsvTree.Create(Path.Combine(_root, "hidden"), hideSymbols: 1));

        Assert.Contains("libstdc++.so.6", visible.Profile.ProvidedSonames);
        Assert.DoesNotContain("libstdc++.so.6", hidden.Profile.ProvidedSonames);
        Assert.Contains("ld-linux-x86-64.so.2", hidden.Profile.ProvidedSonames);
        Assert.Equal(KernelBundle.Generic.Profile.ProvidedSonames.Count, hidden.Profile.ProvidedSonames.Count);
    }

    [Fact]
    public void Import_BaseFilesFollowSkeletons()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);

        KernelBundle bundle = Import(tree);

        Assert.Equal(
            ["/libenviron.so", "/usr/lib/libgcc_s.so.1", "/etc/hosts", "/etc/mnttab", "/etc/fstab", "/dev", "/proc", "/sys", "/tmp", "/data"],
            bundle.BaseFilesFor(FileSystemKind.Rofs).Select(f => f.GuestPath));
        Assert.Equal(
            ["/libenviron.so", "/tools/mount-fs.so", "/tools/umount.so", "/usr/lib/libgcc_s.so.1", "/etc/hosts", "/etc/mnttab", "/etc/fstab", "/dev", "/proc", "/sys", "/tmp"],
            bundle.BaseFilesFor(FileSystemKind.Zfs).Select(f => f.GuestPath));
    }

    [Fact]
    public void Import_CopiesStrippedObjects()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);

        KernelBundle bundle = Import(tree);

        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Build, "libenviron-stripped.so")), BaseFileBytes(bundle, FileSystemKind.Rofs, "/libenviron.so"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Build, "tools", "mount", "mount-fs-stripped.so")), BaseFileBytes(bundle, FileSystemKind.Zfs, "/tools/mount-fs.so"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Build, "tools", "mount", "umount-stripped.so")), BaseFileBytes(bundle, FileSystemKind.Zfs, "/tools/umount.so"));
    }

    [Fact]
    public void Import_TakesStaticEtcFiles()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);

        KernelBundle bundle = Import(tree);

        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Source, "static", "etc", "fstab_rofs")), BaseFileBytes(bundle, FileSystemKind.Rofs, "/etc/fstab"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Source, "static", "etc", "fstab")), BaseFileBytes(bundle, FileSystemKind.Zfs, "/etc/fstab"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Source, "static", "etc", "hosts")), BaseFileBytes(bundle, FileSystemKind.Zfs, "/etc/hosts"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.LibgccDirectory, "libgcc_s.so.1")), BaseFileBytes(bundle, FileSystemKind.Rofs, "/usr/lib/libgcc_s.so.1"));
        Assert.Equal("/proc/mounts", bundle.BaseFilesFor(FileSystemKind.Rofs).Single(f => f.GuestPath == "/etc/mnttab").Source);
    }

    [Fact]
    public void Import_CopiesHeadersAndBootImage()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);

        KernelBundle bundle = Import(tree);

        Assert.True(File.Exists(Path.Combine(Assert.Single(bundle.HeaderDirectories), "osv", "app.h")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Build, "loader.img")), File.ReadAllBytes(bundle.BootImagePath!));
    }

    [Fact]
    public void Import_SourceElsewhere()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);
        string copy = Path.Combine(_root, "copied-build");
        CopyFolder(tree.Build, copy);
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleImporter.Import(copy, Path.Combine(_root, "bundle"), new KernelImportOptions { SourceDirectory = tree.Source }, diagnostics);

        Assert.NotNull(bundle);
        Assert.Empty(diagnostics);
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Source, "static", "etc", "fstab_rofs")), BaseFileBytes(bundle, FileSystemKind.Rofs, "/etc/fstab"));
    }

    [Fact]
    public void Import_WithoutSource_WarnsAndFallsBack()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);

        // Two levels above the copy is an empty folder, not a source tree.
        string copy = Path.Combine(_root, "elsewhere", "build", "copied-build");
        CopyFolder(tree.Build, copy);
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleImporter.Import(copy, Path.Combine(_root, "bundle"), diagnostics);

        Assert.NotNull(bundle);
        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("manifest.skel", StringComparison.Ordinal));
        Assert.Equal(
            ["/libenviron.so", "/usr/lib/libgcc_s.so.1", "/etc/hosts", "/etc/mnttab", "/etc/fstab", "/dev", "/proc", "/sys", "/tmp", "/data"],
            bundle.BaseFilesFor(FileSystemKind.Rofs).Select(f => f.GuestPath));
        Assert.Equal(File.ReadAllBytes(Path.Combine(copy, "libenviron-stripped.so")), BaseFileBytes(bundle, FileSystemKind.Rofs, "/libenviron.so"));
        Assert.Empty(bundle.HeaderDirectories);
    }

    [Fact]
    public void Import_StaleStrippedCopy_Warns()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);
        string stripped = Path.Combine(tree.Build, "libenviron-stripped.so");
        File.SetLastWriteTimeUtc(stripped, File.GetLastWriteTimeUtc(Path.Combine(tree.Build, "libenviron.so")).AddHours(-1));
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleImporter.Import(tree.Build, Path.Combine(_root, "bundle"), diagnostics);

        Assert.NotNull(bundle);
        Assert.Contains(diagnostics, d => d.Code == KernelDiagnosticCodes.MissingBuildOutput && d.Message.Contains("older than", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Build, "libenviron.so")), BaseFileBytes(bundle, FileSystemKind.Rofs, "/libenviron.so"));
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

    [Fact]
    public void Import_KernelNotElf_Reports()
    {
        SyntheticOsvTree tree = SyntheticOsvTree.Create(_root);
        File.WriteAllText(Path.Combine(tree.Build, "loader-stripped.elf"), "not an ELF file");
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleImporter.Import(tree.Build, Path.Combine(_root, "bundle"), diagnostics);

        Assert.Null(bundle);
        Diagnostic error = Assert.Single(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(KernelDiagnosticCodes.InvalidKernelElf, error.Code);
    }

    // Imports the tree's build folder and checks that it raised no diagnostic.
    private static KernelBundle Import(SyntheticOsvTree tree)
    {
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleImporter.Import(tree.Build, Path.Combine(tree.Root, "bundle"), diagnostics);

        Assert.True(bundle is not null, string.Join("\n", diagnostics));
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        return bundle;
    }

    private static byte[] BaseFileBytes(KernelBundle bundle, FileSystemKind fileSystem, string guestPath) =>
        File.ReadAllBytes(bundle.BaseFilesFor(fileSystem).Single(f => f.GuestPath == guestPath).Source!);

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
            File.SetLastWriteTimeUtc(destination, File.GetLastWriteTimeUtc(file));
        }
    }
}
