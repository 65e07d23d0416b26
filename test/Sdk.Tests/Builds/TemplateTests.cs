using Osv.Sdk.Tests.Infrastructure;

namespace Osv.Sdk.Tests.Builds;

/// <summary>Projects created with dotnet new from the installed Osv.Templates package, built with dotnet build.</summary>
public sealed class TemplateTests(SdkEnvironment environment)
{
    [Theory]
    [InlineData("osv-c", "greeting.h", "extra.c", "greeting.c", "main.c")]
    [InlineData("osv-cpp", "greeting.hpp", "extra.cpp", "greeting.cpp", "main.cpp")]
    public async Task Template_BuildsIncrementally(string template, string header, string extraSource, string includer1, string includer2)
    {
        TestProject project = await environment.NewFromTemplateAsync(template, "app");

        // A source that includes no header of the project, so the header change below must not compile it.
        File.WriteAllText(Path.Combine(project.Directory, extraSource), "int extra_value(void);\nint extra_value(void) { return 3; }\n");

        BuildResult first = await project.BuildAsync();
        Assert.True(first.Succeeded, first.Process.Output);
        Assert.Equal([extraSource, includer1, includer2], first.CompiledSources());
        (string format, bool checkPassed) = await QemuImg.InspectAsync(project.ImagePath);
        Assert.Equal("qcow2", format);
        Assert.True(checkPassed);
        Assert.Contains("/app.so", project.ReportedGuestPaths());
        var image = TestProject.Fingerprint(project.ImagePath);

        BuildResult second = await project.BuildAsync();
        Assert.True(second.Succeeded, second.Process.Output);
        Assert.Empty(second.CompilerRuns);
        Assert.Equal(image, TestProject.Fingerprint(project.ImagePath));

        project.Touch(header);
        BuildResult third = await project.BuildAsync();
        Assert.True(third.Succeeded, third.Process.Output);
        Assert.Equal([includer1, includer2], third.CompiledSources());
    }

    [Fact]
    public async Task Prebuilt_BuildsWithoutCompiler()
    {
        TestProject project = await environment.NewFromTemplateAsync("osv-prebuilt", "packed");

        BuildResult first = await project.BuildAsync();
        Assert.True(first.Succeeded, first.Process.Output);
        Assert.Empty(first.CompilerRuns);
        Assert.True(File.Exists(project.ImagePath));
        Assert.Contains("/hello.so", project.ReportedGuestPaths());
        var image = TestProject.Fingerprint(project.ImagePath);

        BuildResult second = await project.BuildAsync();
        Assert.True(second.Succeeded, second.Process.Output);
        Assert.Empty(second.CompilerRuns);
        Assert.Equal(image, TestProject.Fingerprint(project.ImagePath));
    }

    [Fact]
    public async Task Template_WritesNuGetConfigForSource()
    {
        TestProject project = await environment.NewFromTemplateAsync("osv-c", "configured", "--output-kind", "Pie");

        string config = File.ReadAllText(Path.Combine(project.Directory, "nuget.config"));
        string projectText = File.ReadAllText(project.ProjectFile);

        Assert.Contains($"value=\"{environment.FeedDirectory}\"", config, StringComparison.Ordinal);
        Assert.Contains($"Sdk=\"Osv.Sdk/{SdkEnvironment.PackageVersion}\"", projectText, StringComparison.Ordinal);
        Assert.Contains("<OsvOutputKind>Pie</OsvOutputKind>", projectText, StringComparison.Ordinal);
        Assert.Contains("#ifndef GREETING_H", File.ReadAllText(Path.Combine(project.Directory, "greeting.h")), StringComparison.Ordinal);
    }
}
