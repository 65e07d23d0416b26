using Osv.Sdk.Tests.Infrastructure;

namespace Osv.Sdk.Tests.Builds;

/// <summary>Compiling and linking with real dotnet build processes and the host gcc.</summary>
public sealed class CompileTests(SdkEnvironment environment)
{
    private const string UtilHeader = "#pragma once\nint twice(int value);\n";
    private const string UtilSource = "#include \"util.h\"\nint twice(int value) { return 2 * value; }\n";
    private const string MainSource = "#include <stdio.h>\n#include \"util.h\"\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }\n";
    private const string PlainSource = "int plain(void) { return 7; }\n";

    [Fact]
    public async Task Build_Incremental()
    {
        TestProject project = TestProject.Create(environment, "incremental", "<PropertyGroup><OsvCreateImage>false</OsvCreateImage></PropertyGroup>",
            ("main.c", MainSource), ("util.c", UtilSource), ("util.h", UtilHeader), ("plain.c", PlainSource));
        string linked = Path.Combine(project.OutputDirectory, "incremental.so");

        BuildResult first = await project.BuildAsync();
        Assert.True(first.Succeeded, first.Process.Output);
        Assert.Equal(["main.c", "plain.c", "util.c"], first.CompiledSources());
        var linkedBefore = TestProject.Fingerprint(linked);

        BuildResult second = await project.BuildAsync();
        Assert.True(second.Succeeded, second.Process.Output);
        Assert.Empty(second.CompilerRuns);
        Assert.Equal(linkedBefore, TestProject.Fingerprint(linked));

        project.Touch("util.h");
        BuildResult third = await project.BuildAsync();
        Assert.True(third.Succeeded, third.Process.Output);
        Assert.Equal(["main.c", "util.c"], third.CompiledSources());

        // A removed source changes no time stamp, but the recorded object list makes the link run again.
        var linkedAfterHeader = TestProject.Fingerprint(linked);
        File.Delete(Path.Combine(project.Directory, "plain.c"));
        BuildResult fourth = await project.BuildAsync();
        Assert.True(fourth.Succeeded, fourth.Process.Output);
        Assert.Empty(fourth.CompileRuns());
        Assert.NotEqual(linkedAfterHeader.Sha256, TestProject.Fingerprint(linked).Sha256);
    }

    [Fact]
    public async Task TwoBrokenSources_BothReported()
    {
        TestProject project = TestProject.Create(environment, "twobroken", string.Empty,
            ("a.c", "int a(void) { return 1 }\n"), ("b.c", "int b(void) { return undefined_name; }\n"));

        BuildResult result = await project.BuildAsync();

        Assert.False(result.Succeeded);
        Assert.Equal(["a.c", "b.c"], result.Errors.Select(e => Path.GetFileName(e.File)).Order(StringComparer.Ordinal));
        Assert.All(result.Errors, error => Assert.Equal("OSV7001", error.Code));
        Assert.Empty(Directory.GetFiles(project.OutputDirectory));
    }

    [Fact]
    public async Task Build_FlagChangeRecompilesAll()
    {
        TestProject project = TestProject.Create(environment, "flags", "<PropertyGroup><OsvCreateImage>false</OsvCreateImage></PropertyGroup>",
            ("main.c", MainSource), ("util.c", UtilSource), ("util.h", UtilHeader));
        BuildResult first = await project.BuildAsync();
        Assert.True(first.Succeeded, first.Process.Output);

        BuildResult second = await project.BuildAsync("-p:OsvDefineConstants=EXTRA=1");

        Assert.True(second.Succeeded, second.Process.Output);
        Assert.Equal(["main.c", "util.c"], second.CompiledSources());
        Assert.NotEmpty(second.CompileRuns());
        Assert.All(second.CompileRuns(), run => Assert.Contains("-DEXTRA=1", run, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ItemOptionsChange_RecompilesOneSource()
    {
        TestProject project = TestProject.Create(environment, "itemoptions", """
              <PropertyGroup><OsvCreateImage>false</OsvCreateImage></PropertyGroup>
              <ItemGroup><Compile Update="util.c" AdditionalOptions="$(UtilOptions)" /></ItemGroup>
            """,
            ("main.c", MainSource), ("util.c", UtilSource), ("util.h", UtilHeader));
        BuildResult first = await project.BuildAsync();
        Assert.True(first.Succeeded, first.Process.Output);

        BuildResult second = await project.BuildAsync("-p:UtilOptions=-DUTIL_ONLY=1");

        Assert.True(second.Succeeded, second.Process.Output);
        Assert.Equal(["util.c"], second.CompiledSources());
        Assert.Contains("-DUTIL_ONLY=1", Assert.Single(second.CompileRuns()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyntaxError_ExactlyOneError()
    {
        TestProject project = TestProject.Create(environment, "syntax", string.Empty,
            ("main.c", "#include <stdio.h>\nint main(void) {\n    puts(\"a\")\n    return 0;\n}\n"),
            ("util.c", UtilSource), ("util.h", UtilHeader));

        BuildResult result = await project.BuildAsync();

        Assert.False(result.Succeeded);
        LoggedDiagnostic error = Assert.Single(result.Errors);
        Assert.Equal(Path.Combine(project.Directory, "main.c"), error.File);
        Assert.Equal(3, error.Line);
        Assert.Equal(14, error.Column);
        Assert.Equal("OSV7001", error.Code);
        Assert.False(File.Exists(Path.Combine(project.OutputDirectory, "syntax.so")));
    }

    [Fact]
    public async Task SyntaxError_FixedSourceBuilds()
    {
        TestProject project = TestProject.Create(environment, "fixed", "<PropertyGroup><OsvCreateImage>false</OsvCreateImage></PropertyGroup>",
            ("main.c", "int main(void) { return 0 }\n"), ("util.c", UtilSource), ("util.h", UtilHeader));
        BuildResult broken = await project.BuildAsync();
        Assert.False(broken.Succeeded);

        File.WriteAllText(Path.Combine(project.Directory, "main.c"), "int main(void) { return 0; }\n");
        BuildResult result = await project.BuildAsync();

        Assert.True(result.Succeeded, result.Process.Output);
        Assert.Equal(["main.c"], result.CompiledSources());
        Assert.True(File.Exists(Path.Combine(project.OutputDirectory, "fixed.so")));
    }

    [Fact]
    public async Task Warning_CarriesOptionCode()
    {
        TestProject project = TestProject.Create(environment, "warning", "<PropertyGroup><OsvCreateImage>false</OsvCreateImage></PropertyGroup>",
            ("main.c", "int main(void)\n{\n    int unused;\n    return 0;\n}\n"));

        BuildResult result = await project.BuildAsync();

        Assert.True(result.Succeeded, result.Process.Output);
        LoggedDiagnostic warning = Assert.Single(result.Warnings);
        Assert.Equal("-Wunused-variable", warning.Code);
        Assert.Equal(Path.Combine(project.Directory, "main.c"), warning.File);
        Assert.Equal(3, warning.Line);
    }

    [Fact]
    public async Task LinkLibraryMissing_ExactlyOneError()
    {
        TestProject project = TestProject.Create(environment, "nolib", "<PropertyGroup><OsvLibraries>osvnosuchlibrary</OsvLibraries></PropertyGroup>",
            ("main.c", MainSource), ("util.c", UtilSource), ("util.h", UtilHeader));

        BuildResult result = await project.BuildAsync();

        Assert.False(result.Succeeded);
        LoggedDiagnostic error = Assert.Single(result.Errors);
        Assert.Equal("OSV7005", error.Code);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Contains("osvnosuchlibrary", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SharedObject", "incremental.so", "DYN (Shared object file)")]
    [InlineData("Pie", "incremental", "DYN (Position-Independent Executable file)")]
    public async Task OutputKind_SelectsElfType(string outputKind, string fileName, string expectedType)
    {
        TestProject project = TestProject.Create(environment, "incremental", $"<PropertyGroup><OsvOutputKind>{outputKind}</OsvOutputKind><OsvCreateImage>false</OsvCreateImage></PropertyGroup>",
            ("main.c", MainSource), ("util.c", UtilSource), ("util.h", UtilHeader));

        BuildResult result = await project.BuildAsync();

        Assert.True(result.Succeeded, result.Process.Output);
        string flag = outputKind == "Pie" ? "-fPIE" : "-fPIC";
        Assert.NotEmpty(result.CompileRuns());
        Assert.All(result.CompileRuns(), run => Assert.Contains(flag, run, StringComparison.Ordinal));
        ProcessResult readelf = await ProcessRunner.RunAsync("readelf", ["-h", Path.Combine(project.OutputDirectory, fileName)],
            project.Directory, new Dictionary<string, string?>(), TimeSpan.FromSeconds(30));
        Assert.Contains(expectedType, readelf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clean_RemovesOutputs()
    {
        TestProject project = TestProject.Create(environment, "clean", string.Empty,
            ("main.c", MainSource), ("util.c", UtilSource), ("util.h", UtilHeader));
        BuildResult build = await project.BuildAsync();
        Assert.True(build.Succeeded, build.Process.Output);
        Assert.True(File.Exists(project.ImagePath));

        BuildResult clean = await project.CleanAsync();

        Assert.True(clean.Succeeded, clean.Process.Output);
        Assert.Empty(Directory.GetFiles(project.OutputDirectory));
        Assert.Empty(Directory.GetFiles(Path.Combine(project.Directory, "obj"), "*.o", SearchOption.AllDirectories));
        Assert.False(File.Exists(project.GeneratedProjectFile));
        Assert.True(File.Exists(Path.Combine(project.Directory, "main.c")));
    }

    [Fact]
    public async Task SdkVersion_FromGlobalJson()
    {
        TestProject project = TestProject.Create(environment, "globaljson", "<PropertyGroup><OsvCreateImage>false</OsvCreateImage></PropertyGroup>",
            ("main.c", MainSource), ("util.c", UtilSource), ("util.h", UtilHeader),
            ("global.json", $$"""{ "msbuild-sdks": { "Osv.Sdk": "{{SdkEnvironment.PackageVersion}}" } }"""));
        File.WriteAllText(project.ProjectFile, File.ReadAllText(project.ProjectFile).Replace(
            $"Sdk=\"Osv.Sdk/{SdkEnvironment.PackageVersion}\"", "Sdk=\"Osv.Sdk\"", StringComparison.Ordinal));

        BuildResult result = await project.BuildAsync();

        Assert.True(result.Succeeded, result.Process.Output);
        Assert.True(File.Exists(Path.Combine(project.OutputDirectory, "globaljson.so")));
    }
}
