using Osv.Diagnostics;
using Osv.ImageBuilder.Build;
using Osv.Manifests.Project;

namespace Osv.Cli.Tests.Build;

/// <summary>The pipeline called in-process, as the MSBuild SDK calls it.</summary>
public class ImageBuildTests
{
    [Fact]
    public void Loaded_project_is_built()
    {
        using var temp = new TempDirectory();
        string folder = EndToEnd.Samples.Prepare(temp, "hello");
        var diagnostics = new DiagnosticBag();
        OsvProject project = OsvProjectLoader.Load(Path.Combine(folder, "osv.yaml"), diagnostics)!;

        ImageBuildResult result = ImageBuild.Run(new ImageBuildRequest { ProjectPath = "in-memory", Project = project, Format = "raw" });

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal(Path.Combine(folder, "out", "hello.img"), result.ImagePath);
        Assert.True(File.Exists(result.ImagePath));
        Assert.True(File.Exists(result.DependencyFilePath));
    }

    [Fact]
    public void Cancelled_build_leaves_nothing()
    {
        using var temp = new TempDirectory();
        string folder = EndToEnd.Samples.Prepare(temp, "hello");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        ImageBuildResult result = ImageBuild.Run(new ImageBuildRequest { ProjectPath = folder, CancellationToken = cancellation.Token });

        Assert.Contains(result.Diagnostics, d => d.Code == BuildDiagnosticCodes.Cancelled);
        Assert.Null(result.ImagePath);
        Assert.False(Directory.Exists(Path.Combine(folder, "out")));
    }

    [Fact]
    public void Progress_reports_stages_in_order()
    {
        using var temp = new TempDirectory();
        string folder = EndToEnd.Samples.Prepare(temp, "hello");
        var stages = new List<BuildStage>();

        ImageBuildResult result = ImageBuild.Run(new ImageBuildRequest { ProjectPath = folder, Progress = new Recorder(stages) });

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal([BuildStage.LoadProject, BuildStage.AddKernelFiles, BuildStage.AnalyseElf, BuildStage.WriteImage, BuildStage.WriteSideOutputs], stages);
        Assert.Equal(stages.Count, result.StageTimes.Count);
    }

    [Theory]
    [InlineData("/hello.so", new[] { "/hello.so" })]
    [InlineData("--env=A=1 --cwd=/app /app/x.so arg", new[] { "/app/x.so" })]
    [InlineData("/a.so 1; /b.so & /c.so", new[] { "/a.so", "/b.so", "/c.so" })]
    [InlineData("\"/with space/x.so\" y", new[] { "/with space/x.so" })]
    [InlineData("/a.so&!/b.so", new[] { "/a.so", "/b.so" })]
    public void CommandLinePrograms_cases(string commandLine, string[] expected)
    {
        Assert.Equal(expected, CommandLinePrograms.Find(commandLine));
    }

    private sealed class Recorder(List<BuildStage> stages) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => stages.Add(value.Stage);
    }
}
