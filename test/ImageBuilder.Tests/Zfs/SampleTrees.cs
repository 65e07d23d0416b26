using System.Diagnostics;
using System.Text;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>The guest trees the ZFS tests write, built from files created for the test and real host libraries.</summary>
internal static class SampleTrees
{
    /// <summary>The size of the sparse file: 5 GiB, far more than its data.</summary>
    public const long SparseFileSize = 5L << 30;

    /// <summary>
    /// An application like OSv's samples: a shared object built by gcc, the host's libstdc++ and libgcc_s,
    /// the base files of a ZFS image (fstab, hosts, the mnttab link) and the empty mount-point directories.
    /// </summary>
    public static void AddSampleApp(HostTree tree)
    {
        string source = Path.Combine(tree.Folder, "hello.c");
        File.WriteAllText(source, "#include <stdio.h>\nint main(void) { puts(\"Hello from OSv\"); return 0; }\n");
        string library = Path.Combine(tree.Folder, "hello.so");
        RunGcc("-shared", "-fPIC", "-O2", "-o", library, source);

        tree.AddHostFile("/app/hello.so", library);
        tree.AddHostFile("/usr/lib/libstdc++.so.6", Resolve("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
        tree.AddHostFile("/usr/lib/libgcc_s.so.1", Resolve("/lib/x86_64-linux-gnu/libgcc_s.so.1"));
        tree.AddRandomFile("/libenviron.so", 18_000, seed: 10);
        tree.AddRandomFile("/tools/mount-fs.so", 40_000, seed: 11);
        tree.AddFile("/etc/fstab", Encoding.ASCII.GetBytes("/dev/vblk0.1 / zfs defaults 0 0\n"));
        tree.AddFile("/etc/hosts", Encoding.ASCII.GetBytes("127.0.0.1 localhost\n"));
        tree.AddFile("/etc/empty.conf", []);
        tree.Plan.AddSymlink("/etc/mnttab", "/proc/mounts", origin: null);
        foreach (string directory in new[] { "/dev", "/proc", "/sys", "/tmp" })
        {
            tree.Plan.AddDirectory(directory, origin: null);
        }

        // A file of exactly one record, one just over it, and one needing two indirect levels.
        tree.AddRandomFile("/app/data/record.bin", 128 * 1024, seed: 12);
        tree.AddRandomFile("/app/data/record-plus-one.bin", (128 * 1024) + 1, seed: 13);
        tree.AddRandomFile("/app/data/large.bin", 20 * 1024 * 1024, seed: 14);
    }

    /// <summary>Ten thousand small files in one directory, and a directory of 255-byte names.</summary>
    public static void AddLargeDirectories(HostTree tree, int fileCount = 10_000)
    {
        for (int i = 0; i < fileCount; i++)
        {
            tree.AddFile($"/many/file-{i:D5}.txt", Encoding.ASCII.GetBytes($"file {i}\n"));
        }

        for (int i = 0; i < 300; i++)
        {
            string name = i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + new string((char)('a' + (i % 26)), 252);
            tree.AddFile("/long/" + name, Encoding.ASCII.GetBytes(name[..10]));
        }
    }

    /// <summary>
    /// Adds a 5 GiB sparse file with data at its start, in the middle and at its end, and a 60-level deep path.
    /// Also adds links (one with the longest target that fits), empty files and empty directories.
    /// </summary>
    public static void AddSparseAndDeep(HostTree tree)
    {
        string sparse = Path.Combine(tree.Folder, "sparse.img");
        using (var stream = new FileStream(sparse, FileMode.Create, FileAccess.Write))
        {
            stream.SetLength(SparseFileSize);
            foreach ((long offset, byte[] data) in SparseIslands())
            {
                stream.Position = offset;
                stream.Write(data);
            }
        }

        tree.AddHostFile("/data/sparse.img", sparse);
        tree.AddFile("/data/zeros.bin", new byte[300_000]);

        string deep = string.Concat(Enumerable.Range(0, 60).Select(i => $"/level{i:D2}"));
        tree.AddRandomFile(deep + "/leaf.txt", 100, seed: 20);
        tree.Plan.AddDirectory(deep + "/empty", origin: null);
        tree.AddFile("/data/empty-file", []);
        tree.Plan.AddSymlink("/data/relative-link", "../level00/level01", origin: null);
        tree.Plan.AddSymlink("/data/longest-link", "/" + new string('t', 143), origin: null);
        tree.Plan.AddSymlink("/data/dangling", "/nowhere", origin: null);
    }

    /// <summary>
    /// Returns the expected content of the sparse file without reading the host file, whose 5 GiB of holes
    /// would cost the test seconds of kernel time.
    /// </summary>
    public static Stream OpenSparseContent() => new IslandStream(SparseFileSize, SparseIslands());

    // The data written into the sparse file: at its start, just past 2 GiB, and at its end.
    private static IEnumerable<(long Offset, byte[] Data)> SparseIslands() =>
        new[] { 0L, (2L << 30) + 12345, SparseFileSize - 1000 }.Select(offset => (offset, HostTree.RandomBytes(1000, (int)(offset % 1000))));

    // The target of a host symbolic link, as OSv's manifest expansion resolves it.
    private static string Resolve(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private static void RunGcc(params string[] arguments)
    {
        if (!File.Exists("/usr/bin/gcc"))
        {
            Assert.Skip("gcc is not installed; install it (see .ci/install-prerequisites).");
        }

        var start = new ProcessStartInfo("/usr/bin/gcc") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"gcc failed: {errors}");
    }
}
