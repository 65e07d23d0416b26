using Osv.Diagnostics;
using Osv.Manifests.Project;
using Osv.Sdk.Tests.Infrastructure;

namespace Osv.Sdk.Tests.Builds;

/// <summary>How the project's properties and items become the image, and how image findings are reported.</summary>
public sealed class ImageTests(SdkEnvironment environment)
{
    private const string HelloSource = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";

    [Fact]
    public async Task Properties_BecomeOsvYaml()
    {
        TestProject project = TestProject.Create(environment, "mapped", """
              <PropertyGroup>
                <OsvFileSystem>ZFS</OsvFileSystem>
                <OsvImageFormat>raw</OsvImageFormat>
                <OsvImageSize>256M</OsvImageSize>
                <OsvArguments>--port 80 "two words"</OsvArguments>
                <OsvWorkingDirectory>/data</OsvWorkingDirectory>
                <OsvAddMissingLibraries>false</OsvAddMissingLibraries>
              </PropertyGroup>
              <ItemGroup>
                <OsvEnvironment Include="MODE" Value="test" />
                <OsvFile Include="data/config.txt" GuestPath="/data/config.txt" />
                <OsvDirectory Include="/var/empty" />
              </ItemGroup>
            """,
            ("main.c", HelloSource), ("data/config.txt", "key=value\n"));

        BuildResult result = await project.BuildAsync();

        Assert.True(result.Succeeded, result.Process.Output);
        Assert.True(File.Exists(Path.Combine(project.OutputDirectory, "mapped.img")));
        var diagnostics = new DiagnosticBag();
        OsvProject? loaded = OsvProjectLoader.Load(project.GeneratedProjectFile, diagnostics);
        Assert.Empty(diagnostics);
        Assert.NotNull(loaded);
        Assert.Equal("mapped", loaded.Name);
        Assert.Equal(ProjectFileSystem.Zfs, loaded.FileSystem);
        Assert.Equal(ImageFormat.Raw, loaded.Format);
        Assert.Equal(256L * 1024 * 1024, loaded.ImageSize);
        Assert.Equal("/mapped.so", loaded.Command!.Program);
        Assert.Equal(["--port", "80", "two words"], loaded.Command.Arguments);
        Assert.Equal("/data", loaded.Command.WorkingDirectory);
        Assert.Equal(new KeyValuePair<string, string>("MODE", "test"), Assert.Single(loaded.Command.Environment));
        Assert.Equal(["/mapped.so", "/data/config.txt"], loaded.Files.Select(f => f.GuestPath));
        Assert.Equal(Path.Combine(project.OutputDirectory, "mapped.so"), loaded.Files[0].HostPath);
        Assert.Equal("/var/empty", Assert.Single(loaded.Directories).GuestPath);
        Assert.False(loaded.AddMissingLibraries);
    }

    [Fact]
    public async Task InvalidProperty_NamedInError()
    {
        TestProject project = TestProject.Create(environment, "badfs", """
              <PropertyGroup>
                <OsvFileSystem>btrfs</OsvFileSystem>
              </PropertyGroup>
            """,
            ("main.c", HelloSource));

        BuildResult result = await project.BuildAsync();

        Assert.False(result.Succeeded);
        LoggedDiagnostic error = Assert.Single(result.Errors);
        Assert.StartsWith("OSV1", error.Code, StringComparison.Ordinal);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Equal(project.LineOf("<OsvFileSystem>"), error.Line);
        Assert.Contains("OsvFileSystem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingSharedLibrary_ExactlyOneError()
    {
        // libosvmissing.so exists for the link (through -L in OsvLinkFlags) but in no folder the image
        // build searches, so the DT_NEEDED entry of the linked file cannot be resolved.
        TestProject project = TestProject.Create(environment, "needs", """
              <PropertyGroup>
                <OsvLinkFlags>-L$(MSBuildProjectDirectory)/linkonly</OsvLinkFlags>
                <OsvLibraries>osvmissing</OsvLibraries>
              </PropertyGroup>
            """,
            ("main.c", "int osv_missing_function(void);\nint main(void) { return osv_missing_function(); }\n"),
            ("library/missing.c", "int osv_missing_function(void) { return 0; }\n"));
        string libraryDirectory = Path.Combine(project.Directory, "linkonly");
        Directory.CreateDirectory(libraryDirectory);
        ProcessResult gcc = await ProcessRunner.RunAsync("gcc",
            ["-shared", "-fPIC", "-o", Path.Combine(libraryDirectory, "libosvmissing.so"), Path.Combine(project.Directory, "library", "missing.c")],
            project.Directory, new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        Assert.True(gcc.ExitCode == 0, gcc.Output);
        File.Delete(Path.Combine(project.Directory, "library", "missing.c"));

        BuildResult result = await project.BuildAsync();

        Assert.False(result.Succeeded);
        LoggedDiagnostic error = Assert.Single(result.Errors);
        Assert.Equal("OSV2011", error.Code);
        Assert.Contains("libosvmissing.so", error.Message, StringComparison.Ordinal);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Equal(project.LineOf("<OsvLibraries>"), error.Line);
        Assert.False(File.Exists(project.ImagePath));
    }

    [Fact]
    public async Task PropertyChange_RebuildsImageOnly()
    {
        // A disk with a kernel stores the command line in its boot image, so new arguments change its bytes.
        TestProject project = TestProject.Create(environment, "args", "<PropertyGroup><OsvArguments>one</OsvArguments><OsvKernelBundle>bundle</OsvKernelBundle></PropertyGroup>",
            ("main.c", HelloSource));
        SyntheticBundle.Write(Path.Combine(project.Directory, "bundle"));
        BuildResult first = await project.BuildAsync();
        Assert.True(first.Succeeded, first.Process.Output);
        var image = TestProject.Fingerprint(project.ImagePath);

        BuildResult second = await project.BuildAsync("-p:OsvArguments=two");

        Assert.True(second.Succeeded, second.Process.Output);
        Assert.Empty(second.CompilerRuns);
        Assert.NotEqual(image.Sha256, TestProject.Fingerprint(project.ImagePath).Sha256);
        Assert.Contains("\"two\"", File.ReadAllText(project.GeneratedProjectFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KernelHeaders_AddedAsSystemIncludes()
    {
        TestProject project = TestProject.Create(environment, "osvapi", string.Empty,
            ("main.c", "#include <osv/test-api.h>\nint main(void) { return OSV_TEST_VALUE; }\n"),
            ("bundle/include/osv/test-api.h", "#define OSV_TEST_VALUE 0\n"));
        string bundle = Path.Combine(project.Directory, "bundle");
        SyntheticBundle.Write(bundle, headers: "include");

        BuildResult result = await project.BuildAsync($"-p:OsvKernelBundle={bundle}", "-p:OsvUseKernelHeaders=true", "-p:OsvCreateImage=false");

        Assert.True(result.Succeeded, result.Process.Output);
        string compile = Assert.Single(result.CompileRuns());
        Assert.Contains($"-isystem {Path.Combine(bundle, "include")}", compile, StringComparison.Ordinal);
    }
}
