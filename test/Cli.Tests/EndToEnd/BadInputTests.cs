using System.Diagnostics;

namespace Osv.Cli.Tests.EndToEnd;

/// <summary>
/// Every bad input gives one clear error, a non-zero exit code and no image, not even a partial one.
/// The tests run as root, so unreadable files and read-only folders are made by other means.
/// </summary>
public class BadInputTests
{
    [Fact]
    public void Missing_project_file()
    {
        using var temp = new TempDirectory();

        ProcessOutput result = ToolProcess.Run(temp.Path, "build", "nothere.yaml");

        AssertOneError(result, "OSV6010", "nothere.yaml");
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Folder_without_osv_yaml()
    {
        using var temp = new TempDirectory();

        ProcessOutput result = ToolProcess.Run(temp.Path, "build");

        AssertOneError(result, "OSV6010", "osv.yaml");
    }

    [Fact]
    public void Missing_host_file()
    {
        using var temp = new TempDirectory();
        WriteProject(temp, "/app.so: missing.so");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build");

        AssertOneError(result, "missing.so");
        Assert.Contains("osv.yaml:", ErrorLines(result)[0], StringComparison.Ordinal);
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Host_folder_as_program()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("app.so"));
        WriteProject(temp, "/app.so: app.so");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build");

        AssertOneError(result, "/app.so");
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Unreadable_host_file()
    {
        if (!OperatingSystem.IsLinux() || !Processes.OnPath("setpriv"))
        {
            Assert.Skip("setpriv (util-linux) is not installed, and root reads every file.");
            return;
        }

        // The unprivileged user must reach the tool itself, which it cannot when the checkout
        // lies under a private folder such as /root.
        ProcessOutput reach = Processes.Run("setpriv", "/", "--reuid=65534", "--regid=65534", "--clear-groups", "test", "-r", ToolProcess.ToolPath);
        if (reach.ExitCode != 0)
        {
            Assert.Skip($"The user 'nobody' cannot read {ToolProcess.ToolPath}, so the tool cannot run without root here.");
        }

        using var temp = new TempDirectory();
        File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
        WriteProject(temp, "/app.so: app.so");
        File.SetUnixFileMode(temp.Combine("app.so"), UnixFileMode.None);
        File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_111_111);

        ProcessOutput result = RunAsNobody(temp.Path, "build");

        AssertOneError(result, "app.so");
        Assert.Contains("denied", result.StandardError, StringComparison.OrdinalIgnoreCase);
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Non_elf_program()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("app.so"), "#!/bin/sh\necho not an ELF file\n");
        WriteProject(temp, "/app.so: app.so");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build");

        AssertOneError(result, "OSV2020", "/app.so");
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Missing_library()
    {
        using var temp = new TempDirectory();
        string library = temp.Combine("libgone.so");
        Compile(temp, "int gone(void) { return 1; }", library, "-shared", "-fPIC", "-Wl,-soname,libgone.so");
        Compile(temp, "int gone(void); int main(void) { return gone(); }", temp.Combine("app.so"), "-shared", "-fPIC", "-L" + temp.Path, "-lgone");
        File.Delete(library);
        WriteProject(temp, "/app.so: app.so");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build");

        AssertOneError(result, "OSV2011", "libgone.so");
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Invalid_yaml()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("osv.yaml"), "name: broken\ncommand: [unclosed\n");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("osv.yaml:", ErrorLines(result)[0], StringComparison.Ordinal);
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Unclosed_flow_list_before_next_key()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("osv.yaml"), "name: hello\ncommand:\n  program: /hello.so\n  arguments: [a, b\nfiles:\n  /hello.so: hello.so\n");

        ProcessOutput result = ToolProcess.Run(temp.Path, "check");

        AssertOneError(result, "OSV1001", "osv.yaml:4:");
        Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_write_leaves_no_new_output_folder()
    {
        using var temp = new TempDirectory();
        File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
        WriteProject(temp, "/app.so: app.so");

        // An MBR entry cannot describe a partition of 3 TiB, so the write stage fails.
        ProcessOutput result = ToolProcess.Run(temp.Path, "build", "--fs", "zfs", "--size", "3T", "--output", "big");

        AssertOneError(result, "OSV4007", "2 TiB");
        Assert.False(Directory.Exists(temp.Combine("big")), "the failed build left its output folder behind");
    }

    [Fact]
    public void Output_under_regular_file()
    {
        using var temp = new TempDirectory();
        File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
        WriteProject(temp, "/app.so: app.so");
        File.WriteAllText(temp.Combine("blocker"), "a regular file");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build", "--output", "blocker/out");

        AssertOneError(result, "OSV6013", "blocker");
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Missing_kernel_bundle()
    {
        using var temp = new TempDirectory();
        File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
        WriteProject(temp, "/app.so: app.so");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build", "--kernel", "no-such-bundle");

        AssertOneError(result, "no-such-bundle");
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Disk_full_on_small_tmpfs()
    {
        using var temp = new TempDirectory();
        string mount = temp.Combine("small");
        Directory.CreateDirectory(mount);
        ProcessOutput mounted = Processes.Run("mount", temp.Path, "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount);
        if (mounted.ExitCode != 0)
        {
            Assert.Skip("mounting a tmpfs needs root with CAP_SYS_ADMIN: " + mounted.StandardError.Trim());
        }

        try
        {
            File.WriteAllBytes(temp.Combine("payload.bin"), RandomBytes(2 << 20));
            File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
            WriteProject(temp, "/app.so: app.so\n  /payload.bin: payload.bin");

            ProcessOutput result = ToolProcess.Run(temp.Path, "build", "--format", "raw", "--output", mount);

            AssertOneError(result, mount);
            Assert.Empty(Directory.EnumerateFileSystemEntries(mount));
        }
        finally
        {
            Processes.Run("umount", temp.Path, mount);
        }
    }

    [Fact]
    public void File_size_limit_exceeded()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("payload.bin"), RandomBytes(2 << 20));
        File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
        WriteProject(temp, "/app.so: app.so\n  /payload.bin: payload.bin");

        // ulimit -f counts 1024-byte blocks: the 2 MiB payload does not fit under 512 KiB.
        var startInfo = new ProcessStartInfo("bash")
        {
            WorkingDirectory = temp.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("ulimit -f 512 && exec dotnet \"$0\" build --format raw");
        startInfo.ArgumentList.Add(ToolProcess.ToolPath);
        startInfo.Environment["CI"] = "true";

        // The runtime's W^X double mapping backs code pages with a memfd, which the file size
        // limit also caps, so it is turned off for this process.
        startInfo.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        ProcessOutput result = Processes.Run(startInfo, TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Single(ErrorLines(result));
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Corrupt_image_for_inspect()
    {
        using var temp = new TempDirectory();
        byte[] bytes = RandomBytes(4096);
        bytes[510] = 0x55;
        bytes[511] = 0xAA;
        File.WriteAllBytes(temp.Combine("bad.img"), bytes);

        ProcessOutput result = ToolProcess.Run(temp.Path, "inspect", "bad.img");

        AssertOneError(result, "bad.img");
    }

    [Fact]
    public void Missing_image_for_inspect()
    {
        using var temp = new TempDirectory();

        ProcessOutput result = ToolProcess.Run(temp.Path, "inspect", "none.img");

        AssertOneError(result, "OSV6201", "none.img");
    }

    [Fact]
    public void Missing_image_for_run()
    {
        using var temp = new TempDirectory();

        ProcessOutput result = ToolProcess.Run(temp.Path, "run", "none.img");

        AssertOneError(result, "OSV6101", "none.img");
    }

    [Fact]
    public void Kernelless_image_for_run_without_kernel()
    {
        using var temp = new TempDirectory();
        File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
        WriteProject(temp, "/app.so: app.so");
        ProcessOutput build = ToolProcess.Run(temp.Path, "build", "--format", "raw");
        Assert.True(build.ExitCode == 0, build.ToString());

        ProcessOutput result = ToolProcess.Run(temp.Path, "run", "out/app.img", "--timeout", "30");

        AssertOneError(result, "OSV6106", "--kernel");
    }

    [Fact]
    public void Manifest_without_command_line()
    {
        using var temp = new TempDirectory();
        File.Copy(HelloLibrary(temp), temp.Combine("app.so"));
        File.WriteAllText(temp.Combine("usr.manifest"), "/app.so: app.so\n");

        ProcessOutput result = ToolProcess.Run(temp.Path, "build", "usr.manifest");

        AssertOneError(result, "OSV6011", "--cmdline");
        AssertNoImage(temp.Path);
    }

    [Fact]
    public void Kernel_import_missing_folder()
    {
        using var temp = new TempDirectory();

        ProcessOutput result = ToolProcess.Run(temp.Path, "kernel", "import", "no-osv-build");

        AssertOneError(result, "OSV6301", "no-osv-build");
        Assert.False(Directory.Exists(temp.Combine("osv-kernel")));
    }

    [Fact]
    public void Kernel_import_folder_without_build()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("build", "release"));

        ProcessOutput result = ToolProcess.Run(temp.Path, "kernel", "import", "build/release", "-o", "bundle");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("loader", result.StandardError, StringComparison.Ordinal);
    }

    private static void WriteProject(TempDirectory temp, string files)
    {
        File.WriteAllText(temp.Combine("osv.yaml"), $"""
            name: app
            command:
              program: /app.so
            files:
              {files}
            """);
    }

    private static string HelloLibrary(TempDirectory temp)
    {
        string library = temp.Combine("hello-library.so");
        Compile(temp, "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }", library, "-shared", "-fPIC");
        return library;
    }

    private static void Compile(TempDirectory temp, string source, string output, params string[] flags)
    {
        if (!Processes.OnPath("gcc"))
        {
            Assert.Skip("gcc is not installed; run .ci/install-prerequisites.");
        }

        string sourcePath = Path.ChangeExtension(output, ".c");
        File.WriteAllText(sourcePath, source);
        ProcessOutput gcc = Processes.Run("gcc", temp.Path, [sourcePath, .. flags, "-o", output]);
        Assert.True(gcc.ExitCode == 0, gcc.ToString());
    }

    private static byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        new Random(1).NextBytes(bytes);
        return bytes;
    }

    // Runs the tool as the unprivileged user 'nobody', so that chmod 000 really denies reading.
    private static ProcessOutput RunAsNobody(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("setpriv")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", ToolProcess.ToolPath }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["CI"] = "true";
        startInfo.Environment["HOME"] = workingDirectory;
        startInfo.Environment["DOTNET_CLI_HOME"] = workingDirectory;
        startInfo.Environment["TMPDIR"] = workingDirectory;
        return Processes.Run(startInfo, TimeSpan.FromMinutes(2));
    }

    private static string[] ErrorLines(ProcessOutput result) =>
        result.StandardError.Split('\n').Where(l => l.Contains("error OSV", StringComparison.Ordinal)).ToArray();

    private static void AssertOneError(ProcessOutput result, params string[] expectedText)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        string[] errors = ErrorLines(result);
        Assert.True(errors.Length == 1, result.ToString());
        foreach (string text in expectedText)
        {
            Assert.Contains(text, errors[0], StringComparison.Ordinal);
        }
    }

    // No image file and no temporary file anywhere under the folder.
    private static void AssertNoImage(string folder)
    {
        string[] leftovers = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".img", StringComparison.Ordinal) || f.EndsWith(".qcow2", StringComparison.Ordinal)
                || f.EndsWith(".vmdk", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith('.'))
            .ToArray();
        Assert.Empty(leftovers);
    }
}
