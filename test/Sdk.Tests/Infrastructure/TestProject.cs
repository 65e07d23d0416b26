using System.Security.Cryptography;
using System.Text.Json;

namespace Osv.Sdk.Tests.Infrastructure;

/// <summary>A project folder of one test, built with real dotnet processes in the run's environment.</summary>
internal sealed class TestProject
{
    private readonly SdkEnvironment _environment;
    private int _buildNumber;

    /// <summary>Creates the helper for an existing project file.</summary>
    /// <param name="environment">The run's environment.</param>
    /// <param name="projectFile">The project file.</param>
    public TestProject(SdkEnvironment environment, string projectFile)
    {
        _environment = environment;
        ProjectFile = projectFile;
    }

    /// <summary>Gets the project file.</summary>
    public string ProjectFile { get; }

    /// <summary>Gets the project folder.</summary>
    public string Directory => Path.GetDirectoryName(ProjectFile)!;

    /// <summary>Gets the project's name, which names the linked file and the image.</summary>
    public string Name => Path.GetFileNameWithoutExtension(ProjectFile);

    /// <summary>Gets the output folder of the Debug configuration.</summary>
    public string OutputDirectory => Path.Combine(Directory, "bin", "Debug");

    /// <summary>Gets the image path for the SDK's default format, qcow2.</summary>
    public string ImagePath => Path.Combine(OutputDirectory, Name + ".qcow2");

    /// <summary>Gets the path of the osv.yaml the SDK writes for the Debug configuration.</summary>
    public string GeneratedProjectFile => Path.Combine(Directory, "obj", "Debug", "osv.yaml");

    /// <summary>Creates a project folder with a project file and sources.</summary>
    /// <param name="environment">The run's environment.</param>
    /// <param name="name">The project name.</param>
    /// <param name="projectBody">The XML inside the Project element.</param>
    /// <param name="files">Relative paths and contents of the other files.</param>
    public static TestProject Create(SdkEnvironment environment, string name, string projectBody, params (string Path, string Content)[] files)
    {
        string directory = environment.CreateProjectDirectory(name);
        string projectFile = Path.Combine(directory, name + ".osvproj");
        File.WriteAllText(projectFile, $"""
            <Project Sdk="Osv.Sdk/{SdkEnvironment.PackageVersion}">
            {projectBody}
            </Project>
            """);
        foreach ((string path, string content) in files)
        {
            string fullPath = Path.Combine(directory, path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            File.WriteAllText(fullPath, content);
        }

        return new TestProject(environment, projectFile);
    }

    /// <summary>Runs <c>dotnet build</c> (or another dotnet verb) on the project with the logging compilers.</summary>
    /// <param name="arguments">Arguments after the project path, for example <c>-p:OsvOutputKind=Pie</c>.</param>
    public Task<BuildResult> BuildAsync(params string[] arguments) => RunVerbAsync("build", arguments);

    /// <summary>Runs <c>dotnet clean</c> on the project.</summary>
    public Task<BuildResult> CleanAsync() => RunVerbAsync("clean", []);

    /// <summary>Runs a dotnet verb on the project, with the compiler wrappers as CC and CXX.</summary>
    /// <param name="verb">build, clean, run or another verb that takes a project.</param>
    /// <param name="arguments">Arguments after the project path.</param>
    public async Task<BuildResult> RunVerbAsync(string verb, string[] arguments)
    {
        int number = Interlocked.Increment(ref _buildNumber);
        string logs = Path.Combine(Directory, "logs");
        System.IO.Directory.CreateDirectory(logs);
        string errorLog = Path.Combine(logs, $"{verb}{number}.errors.log");
        string warningLog = Path.Combine(logs, $"{verb}{number}.warnings.log");
        string compilerLog = Path.Combine(logs, $"{verb}{number}.compiler.log");

        var environment = new Dictionary<string, string?>
        {
            ["CC"] = _environment.CCompilerWrapper,
            ["CXX"] = _environment.CxxCompilerWrapper,
            [SdkEnvironment.CompilerLogVariable] = compilerLog,
        };
        // dotnet run passes arguments it does not know to the program, so it gets no logger switches.
        string[] verbArguments = verb == "run"
            ? ["--project", ProjectFile, "--disable-build-servers"]
            : [ProjectFile, "--disable-build-servers", "-nologo", "-v:n", "-fileLogger1", $"-fileLoggerParameters1:LogFile={errorLog};ErrorsOnly",
                "-fileLogger2", $"-fileLoggerParameters2:LogFile={warningLog};WarningsOnly"];
        ProcessResult process = await _environment.DotnetAsync(Directory, environment, [verb, .. verbArguments, .. arguments]);

        IReadOnlyList<string> compilerRuns = File.Exists(compilerLog) ? File.ReadAllLines(compilerLog) : [];
        return new BuildResult(process, BuildResult.ReadLog(errorLog), BuildResult.ReadLog(warningLog), compilerRuns);
    }

    /// <summary>Returns the OSv command line the JSON report of the last image build records.</summary>
    public string ReportedCommandLine()
    {
        string report = Path.Combine(OutputDirectory, Name + ".report.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(report));
        return document.RootElement.GetProperty("commandLine").GetString()!;
    }

    /// <summary>Returns the guest paths the JSON report of the last image build lists, in its order.</summary>
    public IReadOnlyList<string> ReportedGuestPaths()
    {
        string report = Path.Combine(OutputDirectory, Name + ".report.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(report));
        return document.RootElement.GetProperty("entries").EnumerateArray()
            .Select(entry => entry.GetProperty("path").GetString()!)
            .ToList();
    }

    /// <summary>Returns the 1-based line of the project file that contains <paramref name="text"/>.</summary>
    /// <param name="text">Text that occurs on exactly one line, for example <c>&lt;OsvLibraries&gt;</c>.</param>
    public int LineOf(string text)
    {
        string[] lines = File.ReadAllLines(ProjectFile);
        int index = Array.FindIndex(lines, line => line.Contains(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{text}' is not in {ProjectFile}.");
        return index + 1;
    }

    /// <summary>Returns the write time and SHA-256 of a file, to show that a build left it untouched.</summary>
    /// <param name="path">The file.</param>
    public static (DateTime WriteTime, string Sha256) Fingerprint(string path) =>
        (File.GetLastWriteTimeUtc(path), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));

    /// <summary>Sets the write time of a file to now, which is later than every output of the builds so far.</summary>
    /// <param name="relativePath">The file, relative to the project folder.</param>
    public void Touch(string relativePath) =>
        File.SetLastWriteTimeUtc(Path.Combine(Directory, relativePath), DateTime.UtcNow);
}
