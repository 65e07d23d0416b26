using System.Diagnostics;

namespace Osv.ImageBuilder.Tests.FileSystems;

/// <summary>
/// Runs OSv's own gen-rofs-img.py and mkbootfs.py from the checkout that OSV_SRC names, so the writers
/// can be compared with them. Without OSV_SRC the comparisons use the approved copies only.
/// </summary>
internal static class OsvScripts
{
    /// <summary>Gets the OSv source folder from OSV_SRC, or null when it is unset or has no scripts.</summary>
    public static string? Source
    {
        get
        {
            string? source = Environment.GetEnvironmentVariable("OSV_SRC");
            return source is not null && File.Exists(Path.Combine(source, "scripts", "gen-rofs-img.py")) ? source : null;
        }
    }

    /// <summary>Runs gen-rofs-img.py over the tree's manifest and returns the image's path.</summary>
    public static string GenRofsImage(TestTree tree) => Run(tree, "gen-rofs-img.py", "rofs.img");

    /// <summary>Runs mkbootfs.py over the tree's manifest and returns the blob's path.</summary>
    public static string MkBootfs(TestTree tree) => Run(tree, "mkbootfs.py", "bootfs.bin");

    // Runs one script. The working directory is a fresh folder two levels deep, because the scripts
    // strip .so files that lie under it or under its grandparent's modules and apps folders.
    private static string Run(TestTree tree, string script, string outputName)
    {
        string source = Source ?? throw new InvalidOperationException("OSV_SRC is not set.");
        string manifest = tree.WriteManifest();
        string workingDirectory = Path.Combine(tree.Root, "osv-run", "build", "release");
        Directory.CreateDirectory(workingDirectory);
        string output = Path.Combine(tree.Root, outputName);
        var start = new ProcessStartInfo("python3")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(source, "scripts", script));
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(output);
        start.ArgumentList.Add("-m");
        start.ArgumentList.Add(manifest);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed with exit code {process.ExitCode}: {stderr}");
        }

        return output;
    }
}
