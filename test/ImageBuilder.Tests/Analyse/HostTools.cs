using System.Diagnostics;
using System.Text;

namespace Osv.ImageBuilder.Tests.Analyse;

/// <summary>Runs the host's binutils and compilers for the ELF tests, and finds the host's ELF files.</summary>
internal static class HostTools
{
    /// <summary>The folder whose ELF files judge the reader; Debian's multiarch library folder.</summary>
    public const string LibraryFolder = "/usr/lib/x86_64-linux-gnu";

    /// <summary>Runs a program to completion and returns its exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { error.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {timeout ?? TimeSpan.FromMinutes(2)}.");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString(), error.ToString());
    }

    /// <summary>Returns whether <paramref name="program"/> is on the PATH.</summary>
    public static bool Exists(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));

    /// <summary>Lists every regular file under <paramref name="folder"/> that starts with the ELF magic, sorted.</summary>
    public static List<string> FindElfFiles(string folder)
    {
        var files = new List<string>();
        Span<byte> magic = stackalloc byte[4];
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (string path in Directory.EnumerateFiles(folder, "*", options))
        {
            try
            {
                using FileStream stream = File.OpenRead(path);
                if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']))
                {
                    files.Add(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable files are not part of the comparison.
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
