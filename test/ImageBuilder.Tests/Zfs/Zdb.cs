using System.Diagnostics;
using System.Text;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>Runs OpenZFS's zdb (package zfsutils-linux) on pool files, without a kernel module.</summary>
internal static class Zdb
{
    private static readonly string? ToolPath = new[] { "/usr/sbin/zdb", "/sbin/zdb", "/usr/bin/zdb" }.FirstOrDefault(File.Exists);

    /// <summary>Skips the calling test when zdb is not installed.</summary>
    public static void RequireInstalled()
    {
        if (ToolPath is null)
        {
            Assert.Skip("zdb is not installed; install zfsutils-linux (see .ci/install-prerequisites).");
        }
    }

    /// <summary>Runs zdb with <paramref name="arguments"/> and returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        RequireInstalled();
        var start = new ProcessStartInfo(ToolPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // zdb looks for /etc/zfs/zpool.cache unless -e is given; nothing else in the environment matters.
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"zdb {string.Join(' ', arguments)} did not finish in 3 minutes.");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString() + error.ToString());
    }

    /// <summary>Runs zdb with <paramref name="arguments"/> and returns its standard output as bytes (for -R ...:r).</summary>
    public static byte[] RunBinary(params string[] arguments)
    {
        RequireInstalled();
        var start = new ProcessStartInfo(ToolPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"zdb {string.Join(' ', arguments)} exited with {process.ExitCode}: {errors.Result}");
        return output.ToArray();
    }

    /// <summary>
    /// Returns the lines of zdb output that report a problem: leaks, space mismatches, read errors, failed
    /// assertions. Directory entry lines (<c>name = N (type: ...)</c>) and link targets are not checked,
    /// because file names may contain those words.
    /// </summary>
    public static IReadOnlyList<string> ProblemLines(string output)
    {
        string[] markers = ["leaked", "!= alloc", "Got error", "assert", "ASSERT", "mismatch", "failed", "corrupt", "error:"];
        return output.Split('\n')
            .Where(line => !ZdbDump.IsDirectoryEntry(line) && !line.TrimStart().StartsWith("target", StringComparison.Ordinal))
            .Where(line => !line.Contains("verify nothing leaked", StringComparison.Ordinal))
            .Where(line => markers.Any(m => line.Contains(m, StringComparison.Ordinal)))
            .ToList();
    }
}
