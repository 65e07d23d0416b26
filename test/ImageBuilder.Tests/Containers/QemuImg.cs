using System.Diagnostics;

namespace Osv.ImageBuilder.Tests.Containers;

/// <summary>Runs qemu-img (Debian package qemu-utils), the independent judge of container files.</summary>
internal static class QemuImg
{
    /// <summary>Gets whether qemu-img is on the PATH.</summary>
    public static bool Available { get; } = Probe();

    /// <summary>Runs qemu-img with the arguments and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("qemu-img") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + errors.Result);
    }

    private static bool Probe()
    {
        try
        {
            return Run("--version").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
