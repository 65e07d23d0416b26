using System.Globalization;
using System.Reflection;

[assembly: AssemblyFixture(typeof(Osv.Sdk.Tests.Infrastructure.SdkEnvironment))]

// The tests run gcc, readelf and qemu, which the SDK supports on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Osv.Sdk.Tests.Infrastructure;

/// <summary>
/// One isolated .NET environment for every test of a run: the Osv.Sdk and Osv.Templates packages packed
/// once from this checkout into a local feed, a nuget.config that lists only that feed, a package folder
/// (NUGET_PACKAGES) of this run, and a template hive that contains the installed templates. Nothing is
/// written to the user's NuGet cache or template list.
/// </summary>
/// <remarks>
/// Every dotnet process runs with <c>--disable-build-servers</c>, so no MSBuild node outlives a test and
/// keeps the task assembly of this run open.
/// </remarks>
public sealed class SdkEnvironment : IAsyncLifetime
{
    /// <summary>The version of both packages, from Directory.Build.props.</summary>
    public const string PackageVersion = "0.1.0";

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private int _nextDirectory;

    /// <summary>Gets the root of this run's files, below the system's temporary folder.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "osv-sdk-tests-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Gets the repository the packages are packed from.</summary>
    public string RepositoryRoot { get; } = ReadMetadata("RepositoryRoot");

    /// <summary>Gets the folder that receives the packed packages and serves as the only package source.</summary>
    public string FeedDirectory => Path.Combine(Root, "feed");

    /// <summary>Gets the template hive that <c>dotnet new --debug:custom-hive</c> uses.</summary>
    public string TemplateHive => Path.Combine(Root, "hive");

    /// <summary>Gets the compiler wrapper that logs each gcc call; see <see cref="CompilerLogVariable"/>.</summary>
    public string CCompilerWrapper => Path.Combine(Root, "tools", "logging-gcc");

    /// <summary>Gets the compiler wrapper that logs each g++ call.</summary>
    public string CxxCompilerWrapper => Path.Combine(Root, "tools", "logging-g++");

    /// <summary>Gets the variable that names the file the compiler wrappers append their arguments to.</summary>
    public static string CompilerLogVariable => "OSV_TEST_COMPILER_LOG";

    /// <summary>Gets the path of the Osv.Sdk package.</summary>
    public string SdkPackage => Path.Combine(FeedDirectory, $"Osv.Sdk.{PackageVersion}.nupkg");

    /// <summary>Gets the path of the Osv.Templates package.</summary>
    public string TemplatesPackage => Path.Combine(FeedDirectory, $"Osv.Templates.{PackageVersion}.nupkg");

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(FeedDirectory);
        Directory.CreateDirectory(Path.Combine(Root, "projects"));
        WriteNuGetConfig();
        WriteCompilerWrappers();

        // Pack both packages from this checkout; dotnet test built them in the same configuration already.
        string configuration = ReadMetadata("Configuration");
        foreach (string project in (string[])["src/Sdk/Package/Package.csproj", "templates/Templates.csproj"])
        {
            ProcessResult pack = await DotnetAsync(RepositoryRoot, PackTimeout,
                "pack", Path.Combine(RepositoryRoot, project), "-c", configuration, "-o", FeedDirectory, "--disable-build-servers", "-nologo");
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet pack {project} failed with exit code {pack.ExitCode}:\n{pack.Output}");
            }
        }

        ProcessResult install = await DotnetAsync(Root, CommandTimeout, "new", "install", TemplatesPackage, "--debug:custom-hive", TemplateHive);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet new install failed with exit code {install.ExitCode}:\n{install.Output}");
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        // OSV_KEEP_TEST_FILES=1 keeps the projects for a look after a failure.
        if (Environment.GetEnvironmentVariable("OSV_KEEP_TEST_FILES") != "1" && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Creates an empty folder for one test's project, below the folder that contains the nuget.config.</summary>
    /// <param name="name">A readable part of the folder name.</param>
    public string CreateProjectDirectory(string name)
    {
        int number = Interlocked.Increment(ref _nextDirectory);
        string directory = Path.Combine(Root, "projects", $"{number:D3}-{name}");
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Creates a project with <c>dotnet new</c> from an installed template, with the run's feed as its package source.</summary>
    /// <param name="template">The template's short name, for example <c>osv-c</c>.</param>
    /// <param name="name">The project name.</param>
    /// <param name="options">More template options, for example <c>--output-kind Pie</c>.</param>
    /// <exception cref="InvalidOperationException">dotnet new failed.</exception>
    internal async Task<TestProject> NewFromTemplateAsync(string template, string name, params string[] options)
    {
        string directory = CreateProjectDirectory(template);
        ProcessResult result = await DotnetAsync(directory, CommandTimeout,
            ["new", template, "-n", name, "-o", directory, "--debug:custom-hive", TemplateHive, "--package-source", FeedDirectory, .. options]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet new {template} failed with exit code {result.ExitCode}:\n{result.Output}");
        }

        return new TestProject(this, Path.Combine(directory, name + ".osvproj"));
    }

    /// <summary>Copies a sample application's sources and project file from the repository into a new project folder.</summary>
    /// <param name="sample">The folder name under sample-apps, for example <c>hello</c>.</param>
    internal TestProject CopySample(string sample)
    {
        string source = Path.Combine(RepositoryRoot, "sample-apps", sample);
        string directory = CreateProjectDirectory(sample);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            string extension = Path.GetExtension(file);
            if (extension is ".c" or ".cc" or ".cpp" or ".h" or ".hpp" or ".osvproj" or ".manifest")
            {
                File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
            }
        }

        return new TestProject(this, Path.Combine(directory, sample + ".osvproj"));
    }

    /// <summary>Runs <c>dotnet</c> with this run's environment.</summary>
    /// <param name="workingDirectory">The working directory.</param>
    /// <param name="arguments">The arguments.</param>
    internal Task<ProcessResult> DotnetAsync(string workingDirectory, params string[] arguments) =>
        DotnetAsync(workingDirectory, CommandTimeout, arguments);

    /// <summary>Runs <c>dotnet</c> with this run's environment and extra variables.</summary>
    /// <param name="workingDirectory">The working directory.</param>
    /// <param name="extraEnvironment">Variables added to this run's environment.</param>
    /// <param name="arguments">The arguments.</param>
    internal Task<ProcessResult> DotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string?> extraEnvironment, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>(CreateEnvironment());
        foreach ((string name, string? value) in extraEnvironment)
        {
            environment[name] = value;
        }

        return ProcessRunner.RunAsync(DotnetExecutable, arguments, workingDirectory, environment, CommandTimeout);
    }

    private Task<ProcessResult> DotnetAsync(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        ProcessRunner.RunAsync(DotnetExecutable, arguments, workingDirectory, CreateEnvironment(), timeout);

    /// <summary>Gets the dotnet executable that runs the tests, so child builds use the same SDK.</summary>
    private static string DotnetExecutable =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    // The variables of every child dotnet process.
    private Dictionary<string, string?> CreateEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"),
            ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(Root, "http-cache"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_UI_LANGUAGE"] = "en",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1",
            ["MSBUILDTERMINALLOGGER"] = "off",
            ["CC"] = null,
            ["CXX"] = null,
        };

        // A test host started by dotnet test inherits MSBuild's own variables, which would make the child
        // build use the parent's MSBuild settings.
        foreach (string name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && !environment.ContainsKey(name))
            {
                environment[name] = null;
            }
        }

        return environment;
    }

    private void WriteNuGetConfig()
    {
        // Projects live below Root, so this file is the nearest nuget.config for all of them; <clear/>
        // drops the machine's feeds, so restores never leave this machine.
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="osv-sdk-tests" value="{FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
    }

    private void WriteCompilerWrappers()
    {
        Directory.CreateDirectory(Path.Combine(Root, "tools"));
        foreach ((string path, string compiler) in (ReadOnlySpan<(string, string)>)[(CCompilerWrapper, "gcc"), (CxxCompilerWrapper, "g++")])
        {
            File.WriteAllText(path, $"""
                #!/bin/sh
                # Logs the arguments of each compiler run, then runs the real compiler.
                if [ -n "${CompilerLogVariable}" ]; then printf '%s\n' "$*" >> "${CompilerLogVariable}"; fi
                exec {compiler} "$@"

                """);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    private static string ReadMetadata(string key) =>
        typeof(SdkEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly has no {key} metadata.");
}
