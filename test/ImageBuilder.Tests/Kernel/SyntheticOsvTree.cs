using System.Diagnostics;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Kernel;

/// <summary>
/// An OSv source tree with a build/release folder laid out as OSv v0.57.0 leaves it. The source has the
/// usr manifest skeletons and static/etc. The build has loader.img, loader-stripped.elf, loader.elf with a
/// bootfs blob under the hidden symbol bootfs_start, shared objects with their -stripped.so copies (tools
/// in tools/mount/), a usr.manifest that names libgcc_s, a stale fstab and the generated headers. gcc and
/// strip build the ELF files, and loader.img is generated.
/// </summary>
internal sealed class SyntheticOsvTree
{
    /// <summary>The version written to gen/include/osv/version.h.</summary>
    public const string HeaderVersion = "v0.57.0-1-gtest";

    /// <summary>The version in the kernel ELF's boot banner.</summary>
    public const string BannerVersion = "v0.57.0-2-gbanner";

    private SyntheticOsvTree(string root)
    {
        Root = root;
        Source = Path.Combine(root, "osv");
        Build = Path.Combine(Source, "build", "release");
        LibgccDirectory = Path.Combine(root, "host-gcc");
    }

    /// <summary>Gets the temporary folder that contains the tree.</summary>
    public string Root { get; }

    /// <summary>Gets the source tree.</summary>
    public string Source { get; }

    /// <summary>Gets the build folder, Source/build/release.</summary>
    public string Build { get; }

    /// <summary>Gets the folder of the stand-in libgcc_s.so.1 that the build's usr.manifest names.</summary>
    public string LibgccDirectory { get; }

    /// <summary>Lays out the tree under <paramref name="root"/>.</summary>
    /// <param name="root">An empty folder.</param>
    /// <param name="zfsInBootfs">Whether the kernel's bootfs carries the ZFS driver, as an fs=zfs build's does.</param>
    /// <param name="hideSymbols">The CONF_hide_symbols value of the generated header, or null for no header.</param>
    /// <param name="versionHeader">Whether gen/include/osv/version.h exists.</param>
    public static SyntheticOsvTree Create(string root, bool zfsInBootfs = true, int? hideSymbols = 0, bool versionHeader = true)
    {
        var tree = new SyntheticOsvTree(root);
        tree.WriteSource();
        tree.WriteBuild(zfsInBootfs, hideSymbols, versionHeader);
        return tree;
    }

    // The source tree: headers, static/etc and the two usr manifest skeletons of OSv v0.57.0.
    private void WriteSource()
    {
        Write(Path.Combine(Source, "include", "osv", "app.h"), "#pragma once\n");
        Write(Path.Combine(Source, "static", "etc", "hosts"), "127.0.0.1 localhost osv.local\n");
        Write(Path.Combine(Source, "static", "etc", "fstab"), "/dev/vblk0.1 / zfs defaults 0 0\n");
        Write(Path.Combine(Source, "static", "etc", "fstab_rofs"), "/dev/vblk0.1 / rofs defaults 0 0\n");
        Directory.CreateDirectory(Path.Combine(Source, "static", "dev"));
        const string Common = """
            /usr/lib/libgcc_s.so.1: %(libgcc_s_dir)s/libgcc_s.so.1
            /&/etc/hosts: ../../static/&
            /etc/mnttab: ->/proc/mounts
            /etc/fstab: fstab
            /dev: ../../static
            /proc: ../../static
            /sys: ../../static
            /tmp: ../../static

            """;
        Write(Path.Combine(Source, "usr.manifest.skel"), "[manifest]\n/libenviron.so: libenviron.so\n/tools/mount-fs.so: tools/mount/mount-fs.so\n/tools/umount.so: tools/mount/umount.so\n" + Common);
        Write(Path.Combine(Source, "usr_rofs.manifest.skel"), "[manifest]\n/libenviron.so: libenviron.so\n" + Common + "/data: ../../static\n");
    }

    // The build folder: kernel files, shared objects with stripped copies, usr.manifest, generated headers.
    private void WriteBuild(bool zfsInBootfs, int? hideSymbols, bool versionHeader)
    {
        Directory.CreateDirectory(Path.Combine(Build, "tools", "mount"));
        SyntheticKernel.WriteBootImage(Path.Combine(Build, "loader.img"));
        BuildKernel(Path.Combine(Build, "loader-stripped.elf"), bootfs: null);
        BuildKernel(Path.Combine(Build, "loader.elf"), bootfs: WriteBootfs(zfsInBootfs));
        foreach (string library in new[] { "libenviron.so", "tools/mount/mount-fs.so", "tools/mount/umount.so" })
        {
            string path = Path.Combine(Build, library);
            SyntheticKernel.BuildSharedObject(path, Path.GetFileNameWithoutExtension(path).Replace('-', '_') + "_stand_in");
            Run("strip", "-o", path[..^".so".Length] + "-stripped.so", path);
        }

        // scripts/build copies the fstab of the last build here; the importer must not take it.
        Write(Path.Combine(Build, "fstab"), "stale fstab of the last build\n");
        Write(Path.Combine(LibgccDirectory, "libgcc_s.so.1"), "libgcc_s stand-in\n");
        Write(Path.Combine(Build, "usr.manifest"), $"[manifest]\n/libenviron.so: libenviron.so\n/usr/lib/libgcc_s.so.1: {LibgccDirectory}/libgcc_s.so.1\n/hello: /somewhere/hello\n");

        string generated = Path.Combine(Build, "gen", "include", "osv");
        if (versionHeader)
        {
            Write(Path.Combine(generated, "version.h"), $"/* This file is generated automatically. */\n#ifndef OSV_VERSION_H\n#define OSV_VERSION_H\n\n#define OSV_VERSION \"{HeaderVersion}\"\n\n#endif\n");
        }

        if (hideSymbols is { } hide)
        {
            Write(Path.Combine(generated, "kernel_config_hide_symbols.h"), $"#ifndef CONF_hide_symbols\n#define CONF_hide_symbols {hide}\n#endif\n");
        }
    }

    // Writes the kernel's bootfs blob with the project's bootfs writer; returns its path.
    private string WriteBootfs(bool zfsInBootfs)
    {
        string folder = Path.Combine(Root, "bootfs");
        Write(Path.Combine(folder, "libsolaris.so"), "zfs driver stand-in\n");
        var plan = new ImagePlan();
        if (zfsInBootfs)
        {
            plan.AddFile("/usr/lib/fs/libsolaris.so", Path.Combine(folder, "libsolaris.so"), new FileInfo(Path.Combine(folder, "libsolaris.so")).Length, origin: null);
        }

        string blob = Path.Combine(Build, "bootfs.bin");
        using (var stream = new FileStream(blob, FileMode.Create))
        {
            var diagnostics = new DiagnosticBag();
            Assert.True(new BootfsWriter().Write(plan, stream, new FileSystemWriteOptions(), diagnostics) >= 0, string.Join("\n", diagnostics));
        }

        return blob;
    }

    // Builds a kernel stand-in: exported functions, a hidden helper, the boot banner and, when given, the
    // bootfs blob in .data under the hidden symbol bootfs_start, as OSv's bootfs.S places it.
    private static void BuildKernel(string path, string? bootfs)
    {
        string c = Path.ChangeExtension(path, ".c");
        Write(c, $$"""
            int malloc_stand_in(void) { return 1; }
            int pthread_create_stand_in(void) { return 2; }
            __attribute__((visibility("protected"))) int protected_stand_in(void) { return 3; }
            static int hidden_helper(void) { return 4; }
            int use_hidden(void) { return hidden_helper(); }
            extern int undefined_stand_in(void);
            int call_undefined(void) { return undefined_stand_in(); }
            const char *banner(void) { return "OSv {{BannerVersion}}\n"; }
            """);
        var arguments = new List<string> { "-shared", "-fPIC", "-O1", "-o", path, c };
        if (bootfs is not null)
        {
            string assembly = Path.ChangeExtension(path, ".S");
            Write(assembly, $".pushsection .data\n.global bootfs_start\n.hidden bootfs_start\nbootfs_start:\n.incbin \"{bootfs}\"\n.popsection\n");
            arguments.Add(assembly);
        }

        Run("gcc", [.. arguments]);
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {errors}");
    }
}
