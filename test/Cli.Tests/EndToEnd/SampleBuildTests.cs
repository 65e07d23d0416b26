using System.Text.Json;

namespace Osv.Cli.Tests.EndToEnd;

/// <summary>Builds each sample application with gcc and the tool, then reads the image back with the tool.</summary>
public class SampleBuildTests
{
    [Theory]
    [InlineData("hello", "osv.yaml", "hello.qcow2", "/hello.so", new string[0])]
    [InlineData("hello", "osv-pie.yaml", "hello-pie.img", "/hello", new string[0])]
    [InlineData("event-echo", "osv.yaml", "event-echo.qcow2", "/event-echo.so", new[] { "/usr/lib/libevent-2.1.so.7" })]
    [InlineData("cpp-http", "osv.yaml", "cpp-http.qcow2", "/cpp-http.so", new[] { "/usr/lib/libstdc++.so.6", "/usr/lib/libgcc_s.so.1" })]
    public void Sample_builds_and_reads_back(string sample, string project, string image, string program, string[] addedLibraries)
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, sample);

        ProcessOutput build = ToolProcess.Run(folder, "build", project);
        Assert.True(build.ExitCode == 0, build.ToString());
        string imagePath = Path.Combine(folder, "out", image);
        Assert.True(File.Exists(imagePath), build.ToString());

        ProcessOutput inspect = ToolProcess.Run(folder, "inspect", imagePath, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using JsonDocument listing = JsonDocument.Parse(inspect.StandardOutput);
        string[] files = listing.RootElement.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "file")
            .Select(e => e.GetProperty("path").GetString()!)
            .ToArray();

        Assert.Contains(program, files);
        Assert.Contains("/etc/fstab", files);
        foreach (string library in addedLibraries)
        {
            Assert.Contains(library, files);
        }

        Assert.DoesNotContain("/usr/lib/libc.so.6", files);
    }

    [Fact]
    public void Kernelless_disk_has_partition_at_512()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "hello");
        ProcessOutput build = ToolProcess.Run(folder, "build", "--format", "raw");
        Assert.True(build.ExitCode == 0, build.ToString());
        string image = Path.Combine(folder, "out", "hello.img");

        ProcessOutput partitions = ToolProcess.Run(folder, "inspect", image, "--partitions");
        ProcessOutput commandLine = ToolProcess.Run(folder, "inspect", image, "--cmdline");

        Assert.Equal(0, partitions.ExitCode);
        string[] row = partitions.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["2", "0x83", "512"], row[..3]);
        Assert.Equal(string.Empty, commandLine.StandardOutput.Trim());
        Assert.Contains("kernel-less disk", commandLine.StandardError, StringComparison.Ordinal);
        Assert.Contains("--kernel", build.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_bundle_disk_stores_command_line()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "event-echo");
        string bundle = Samples.FakeKernelBundle(temp);

        ProcessOutput build = ToolProcess.Run(folder, "build", "--kernel", bundle, "--format", "raw");
        Assert.True(build.ExitCode == 0, build.ToString());
        string image = Path.Combine(folder, "out", "event-echo.img");
        ProcessOutput commandLine = ToolProcess.Run(folder, "inspect", image, "--cmdline");
        ProcessOutput partitions = ToolProcess.Run(folder, "inspect", image, "--partitions");

        Assert.Equal("--rootfs=rofs /event-echo.so 7000", commandLine.StandardOutput.Trim());
        string[] row = partitions.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["2", "0x83", (2 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)], row[..3]);
    }

    [Fact]
    public void EventEcho_report_shows_libevent_closure()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "event-echo");

        ProcessOutput build = ToolProcess.Run(folder, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        using JsonDocument report = JsonDocument.Parse(build.StandardOutput);
        JsonElement[] entries = report.RootElement.GetProperty("entries").EnumerateArray().ToArray();
        JsonElement program = entries.Single(e => e.GetProperty("path").GetString() == "/event-echo.so");
        JsonElement library = entries.Single(e => e.GetProperty("path").GetString() == "/usr/lib/libevent-2.1.so.7");
        JsonElement needed = program.GetProperty("elf").GetProperty("needed").EnumerateArray()
            .Single(n => n.GetProperty("name").GetString() == "libevent-2.1.so.7");

        Assert.Equal("shared-object", program.GetProperty("elf").GetProperty("kind").GetString());
        Assert.Equal("added", needed.GetProperty("resolution").GetString());
        Assert.Equal("/usr/lib/libevent-2.1.so.7", needed.GetProperty("guestPath").GetString());
        Assert.Contains("DT_NEEDED", library.GetProperty("addedBecause").GetString(), StringComparison.Ordinal);
        Assert.Equal(64, library.GetProperty("sha256").GetString()!.Length);
        Assert.DoesNotContain(report.RootElement.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("severity").GetString() == "error");
        Assert.Contains("osv.yaml:", program.GetProperty("origin").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_is_reproducible()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "event-echo");
        string[] outputs = ["event-echo.qcow2", "event-echo.report.json", "event-echo.spdx.json", "event-echo.d"];

        ProcessOutput first = ToolProcess.Run(folder, "build", "--sbom");
        Assert.True(first.ExitCode == 0, first.ToString());
        byte[][] firstBytes = outputs.Select(o => File.ReadAllBytes(Path.Combine(folder, "out", o))).ToArray();
        File.SetLastWriteTimeUtc(Path.Combine(folder, "event-echo.so"), DateTime.UtcNow.AddMinutes(1));
        ProcessOutput second = ToolProcess.Run(folder, "build", "--sbom");
        Assert.True(second.ExitCode == 0, second.ToString());

        for (int i = 0; i < outputs.Length; i++)
        {
            Assert.True(firstBytes[i].AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, "out", outputs[i]))), $"{outputs[i]} differs between two builds");
        }
    }

    [Fact]
    public void Sbom_only_on_request()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "event-echo");
        string sbom = Path.Combine(folder, "out", "event-echo.spdx.json");
        string report = Path.Combine(folder, "out", "event-echo.report.json");

        ProcessOutput withSbom = ToolProcess.Run(folder, "build", "--sbom");
        Assert.True(withSbom.ExitCode == 0, withSbom.ToString());
        Assert.True(ReportEntry(report, "/etc/hosts").TryGetProperty("sha256", out _), "with --sbom every file has its SHA-256 in the report");
        using (JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(sbom)))
        {
            JsonElement library = document.RootElement.GetProperty("files").EnumerateArray()
                .Single(f => f.GetProperty("fileName").GetString() == "./usr/lib/libevent-2.1.so.7");
            string[] algorithms = library.GetProperty("checksums").EnumerateArray().Select(c => c.GetProperty("algorithm").GetString()!).ToArray();
            Assert.Equal(["SHA1", "SHA256"], algorithms);
        }

        ProcessOutput without = ToolProcess.Run(folder, "build");
        Assert.True(without.ExitCode == 0, without.ToString());
        Assert.False(File.Exists(sbom), "a build without --sbom left the SBOM of the build before");
        Assert.False(ReportEntry(report, "/etc/hosts").TryGetProperty("sha256", out _), "without --sbom a data file has no SHA-256");
        Assert.True(ReportEntry(report, "/event-echo.so").TryGetProperty("sha256", out _), "without --sbom an ELF object still has its SHA-256");
        Assert.DoesNotContain("SBOM:", without.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Dependency_file_names_tree_folders()
    {
        // A file added to a folder that '/**' walks must make the image out of date, so the folder and
        // its subfolders are inputs, not only the files found in them.
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "hello");
        Directory.CreateDirectory(Path.Combine(folder, "tree", "sub"));
        File.WriteAllText(Path.Combine(folder, "tree", "sub", "a.txt"), "a\n");
        File.WriteAllText(Path.Combine(folder, "usr.manifest"), "/data/**: tree/**\n");
        File.AppendAllText(Path.Combine(folder, "osv.yaml"), "manifests: [usr.manifest]\n");

        ProcessOutput build = ToolProcess.Run(folder, "build");

        Assert.True(build.ExitCode == 0, build.ToString());
        string[] inputs = File.ReadAllText(Path.Combine(folder, "out", "hello.d")).Split([" \\\n  ", "\n"], StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(Path.Combine(folder, "tree"), inputs);
        Assert.Contains(Path.Combine(folder, "tree", "sub"), inputs);
        Assert.Contains(Path.Combine(folder, "tree", "sub", "a.txt"), inputs);
    }

    [Fact]
    public void Sbom_from_osv_yaml()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "hello");
        File.AppendAllText(Path.Combine(folder, "osv.yaml"), "sbom: true\n");

        ProcessOutput build = ToolProcess.Run(folder, "build");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(File.Exists(Path.Combine(folder, "out", "hello.spdx.json")), "osv.yaml's 'sbom: true' wrote no SBOM");
        Assert.Contains("SBOM:", build.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Qcow2_passes_qemu_img_check()
    {
        if (!Processes.OnPath("qemu-img"))
        {
            Assert.Skip("qemu-img is not installed; run .ci/install-prerequisites.");
        }

        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "cpp-http");
        ProcessOutput build = ToolProcess.Run(folder, "build");
        Assert.True(build.ExitCode == 0, build.ToString());

        ProcessOutput check = Processes.Run("qemu-img", folder, "check", "out/cpp-http.qcow2");
        ProcessOutput info = Processes.Run("qemu-img", folder, "info", "--output=json", "out/cpp-http.qcow2");

        Assert.True(check.ExitCode == 0, check.ToString());
        using JsonDocument document = JsonDocument.Parse(info.StandardOutput);
        Assert.Equal("qcow2", document.RootElement.GetProperty("format").GetString());
        Assert.Equal(512L << 20, document.RootElement.GetProperty("virtual-size").GetInt64());
    }

    [Fact]
    public void Zfs_image_reads_back_and_passes_zdb()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "event-echo");
        ProcessOutput build = ToolProcess.Run(folder, "build", "--fs", "zfs", "--format", "raw", "--size", "128M");
        Assert.True(build.ExitCode == 0, build.ToString());
        string image = Path.Combine(folder, "out", "event-echo.img");

        ProcessOutput inspect = ToolProcess.Run(folder, "inspect", image, "--cat", "/usr/lib/libevent-2.1.so.7");

        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.StartsWith("\u007fELF", inspect.StandardOutput, StringComparison.Ordinal);
        if (!Processes.OnPath("zdb"))
        {
            return;
        }

        // zdb reads the pool from partition 2, which starts at byte 512 of a kernel-less disk.
        string pool = temp.Combine("pool");
        Directory.CreateDirectory(pool);
        ProcessOutput copy = Processes.Run("dd", folder, $"if={image}", $"of={Path.Combine(pool, "osv.img")}", "bs=512", "skip=1", "status=none");
        Assert.Equal(0, copy.ExitCode);
        ProcessOutput zdb = Processes.Run("zdb", folder, "-e", "-p", pool, "-cc", "osv");
        Assert.True(zdb.ExitCode == 0, zdb.ToString());
    }

    [Fact]
    public void Extract_round_trips_content()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "hello");
        ProcessOutput build = ToolProcess.Run(folder, "build");
        Assert.True(build.ExitCode == 0, build.ToString());

        ProcessOutput extract = ToolProcess.Run(folder, "inspect", "out/hello.qcow2", "--extract", "tree");

        Assert.True(extract.ExitCode == 0, extract.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "hello.so")), File.ReadAllBytes(Path.Combine(folder, "tree", "hello.so")));
        Assert.Equal("/proc/mounts", new FileInfo(Path.Combine(folder, "tree", "etc", "mnttab")).LinkTarget);
    }

    [Fact]
    public void Cat_writes_file_bytes()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "hello");
        ProcessOutput build = ToolProcess.Run(folder, "build");
        Assert.True(build.ExitCode == 0, build.ToString());

        ProcessOutput cat = ToolProcess.Run(folder, "inspect", "out/hello.qcow2", "--cat", "/etc/fstab");

        Assert.Equal(0, cat.ExitCode);
        Assert.StartsWith("/dev/vblk0.1 /", cat.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_with_define_builds()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "hello");
        File.WriteAllText(Path.Combine(folder, "usr.manifest"), "/app/hello.so: %(build_dir)s/hello.so\n/app/hello.c: %(build_dir)s/hello.c\n");

        ProcessOutput build = ToolProcess.Run(folder, "build", "usr.manifest", "-D", "build_dir=" + folder, "--cmdline", "/app/hello.so", "--name", "defined", "--format", "vmdk");
        ProcessOutput inspect = ToolProcess.Run(folder, "inspect", Path.Combine("out", "defined.vmdk"), "--cat", "/app/hello.c");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal(File.ReadAllText(Path.Combine(folder, "hello.c")), inspect.StandardOutput);
    }

    [Fact]
    public void Check_writes_no_image()
    {
        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "event-echo");

        ProcessOutput check = ToolProcess.Run(folder, "check");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("Check passed", check.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "out")));
    }

    private static JsonElement ReportEntry(string reportPath, string guestPath)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(reportPath));
        return document.RootElement.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("path").GetString() == guestPath).Clone();
    }
}
