using Osv.Sdk.Tests.Infrastructure;

namespace Osv.Sdk.Tests.Builds;

/// <summary>The repository's sample applications, built with their project files.</summary>
public sealed class SampleTests(SdkEnvironment environment)
{
    [Theory]
    [InlineData("hello", "/hello.so")]
    [InlineData("event-echo", "/usr/lib/libevent-2.1.so.7")]
    [InlineData("cpp-http", "/usr/lib/libstdc++.so.6")]
    public async Task Sample_BuildsImageOnce(string sample, string expectedGuestPath)
    {
        TestProject project = environment.CopySample(sample);

        BuildResult first = await project.BuildAsync();
        Assert.True(first.Succeeded, first.Process.Output);
        Assert.NotEmpty(first.CompiledSources());
        (string format, bool checkPassed) = await QemuImg.InspectAsync(project.ImagePath);
        Assert.Equal("qcow2", format);
        Assert.True(checkPassed);
        Assert.Contains($"/{sample}.so", project.ReportedGuestPaths());
        Assert.Contains(expectedGuestPath, project.ReportedGuestPaths());
        var image = TestProject.Fingerprint(project.ImagePath);

        BuildResult second = await project.BuildAsync();
        Assert.True(second.Succeeded, second.Process.Output);
        Assert.Empty(second.CompilerRuns);
        Assert.Equal(image, TestProject.Fingerprint(project.ImagePath));
    }
}
