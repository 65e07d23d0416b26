using System.Diagnostics;

namespace Osv.Cli.Tests;

/// <summary>Runs the built <c>dotnet osv</c> tool as a child process, as a user would.</summary>
internal static class ToolProcess
{
    // The tool's assembly is copied next to the tests by the project reference. OSV_TOOL names another
    // build of the tool to test instead, such as the native one from 'dotnet publish -r linux-x64'.
    public static string ToolPath { get; } = Path.Combine(AppContext.BaseDirectory, "dotnet-osv.dll");

    private static readonly string? OtherTool = Environment.GetEnvironmentVariable("OSV_TOOL") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>Runs the tool with <paramref name="arguments"/> and returns its exit code and output.</summary>
    public static ProcessOutput Run(string workingDirectory, params string[] arguments) =>
        Run(workingDirectory, environment: null, arguments);

    public static ProcessOutput Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(OtherTool ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (OtherTool is null)
        {
            startInfo.ArgumentList.Add(ToolPath);
        }

        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["CI"] = "true";
        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[name] = value;
        }

        return Processes.Run(startInfo, TimeSpan.FromMinutes(2));
    }
}

/// <summary>The exit code and the text a finished process wrote.</summary>
internal sealed record ProcessOutput(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>Runs host programs (gcc, make, qemu-img) for the tests.</summary>
internal static class Processes
{
    public static ProcessOutput Run(string fileName, string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Run(startInfo, TimeSpan.FromMinutes(5));
    }

    public static ProcessOutput Run(ProcessStartInfo startInfo, TimeSpan timeout)
    {
        using var process = Process.Start(startInfo)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}' did not finish within {timeout}.");
        }

        return new ProcessOutput(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Returns whether <paramref name="program"/> is on PATH.</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Any(directory => directory.Length > 0 && File.Exists(Path.Combine(directory, program)));
}

/// <summary>A scratch folder under /tmp that is deleted when the test ends.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("osv-cli-test-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a child process; /tmp is cleaned by the system.
        }
    }
}
