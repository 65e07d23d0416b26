using Osv.Sdk.Tests.Infrastructure;

namespace Osv.Sdk.Tests.Builds;

/// <summary>
/// Booting images with dotnet run. A boot needs a real OSv kernel, which the repository does not carry, so
/// one test starts a stand-in for qemu that prints the arguments dotnet run gives it, and the boot itself
/// runs when OSV_TEST_KERNEL_BUNDLE names a kernel bundle folder made by 'dotnet osv kernel import'.
/// </summary>
public sealed class RunTests(SdkEnvironment environment)
{
    [Fact]
    public async Task DotnetRun_BootsTemplateImage()
    {
        string? bundle = Environment.GetEnvironmentVariable("OSV_TEST_KERNEL_BUNDLE");
        if (string.IsNullOrEmpty(bundle))
        {
            Assert.Skip("Set OSV_TEST_KERNEL_BUNDLE to a kernel bundle folder to boot an image.");
        }

        TestProject project = await environment.NewFromTemplateAsync("osv-c", "booted", "--kernel-bundle", bundle);

        BuildResult result = await project.RunVerbAsync("run", []);

        Assert.True(result.Succeeded, result.Process.Output);
        Assert.Contains("Hello, world, from OSv!", result.Process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DotnetRun_StartsQemuWithImage()
    {
        TestProject project = TestProject.Create(environment, "runner", """
              <PropertyGroup>
                <OsvArguments>one "two words"</OsvArguments>
                <OsvRunKernel>kernel/loader-stripped.elf</OsvRunKernel>
                <OsvRunAccelerator>tcg</OsvRunAccelerator>
                <OsvRunPortForwards>8080:80</OsvRunPortForwards>
                <OsvQemu>$(MSBuildProjectDirectory)/print-arguments</OsvQemu>
              </PropertyGroup>
            """,
            ("main.c", "int main(void) { return 0; }\n"),
            ("kernel/loader-stripped.elf", "a stand-in: the qemu stand-in never reads it\n"),
            ("print-arguments", "#!/bin/sh\nprintf 'argument: %s\\n' \"$@\"\n"));
        File.SetUnixFileMode(Path.Combine(project.Directory, "print-arguments"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        BuildResult result = await project.RunVerbAsync("run", []);

        Assert.True(result.Succeeded, result.Process.Output);
        List<string> arguments = result.Process.Output.Split('\n')
            .Where(line => line.StartsWith("argument: ", StringComparison.Ordinal))
            .Select(line => line["argument: ".Length..])
            .ToList();
        Assert.Equal(Path.Combine(project.Directory, "kernel", "loader-stripped.elf"), arguments[arguments.IndexOf("-kernel") + 1]);
        Assert.Equal(project.ReportedCommandLine(), arguments[arguments.IndexOf("-append") + 1]);
        Assert.Contains("two words", project.ReportedCommandLine(), StringComparison.Ordinal);
        Assert.Contains($"file={project.ImagePath},format=qcow2,if=none,id=hd0,cache=writeback,aio=threads", arguments);
        Assert.Contains("user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80", arguments);
    }
}
