using System.Diagnostics;
using System.Globalization;

namespace Osv.Benchmarks;

/// <summary>The wall time and peak memory of one process run.</summary>
/// <param name="Label">What ran.</param>
/// <param name="Seconds">Wall-clock seconds, measured around the whole process.</param>
/// <param name="CpuSeconds">User plus system CPU seconds, from /usr/bin/time; on a shared machine it varies less than wall time.</param>
/// <param name="PeakMegabytes">The maximum resident set size in MB (10^6 bytes), from /usr/bin/time.</param>
/// <param name="ExitCode">The process's exit code.</param>
internal sealed record Measurement(string Label, double Seconds, double CpuSeconds, double PeakMegabytes, int ExitCode)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Seconds:0.000} s, CPU {CpuSeconds:0.000} s, peak {PeakMegabytes:0.0} MB");
}

/// <summary>Runs processes under /usr/bin/time and keeps the fastest of several runs.</summary>
internal static class Measure
{
    /// <summary>Runs <paramref name="run"/> <paramref name="repetitions"/> times and returns the fastest; a failed run stops the benchmark.</summary>
    public static Measurement Best(int repetitions, Func<Measurement> run)
    {
        Measurement? best = null;
        for (int i = 0; i < repetitions; i++)
        {
            Measurement measurement = run();
            if (measurement.ExitCode != 0)
            {
                throw new InvalidOperationException($"{measurement.Label} exited with {measurement.ExitCode}.");
            }

            if (best is null || measurement.Seconds < best.Seconds)
            {
                best = measurement;
            }
        }

        return best!;
    }

    /// <summary>Runs <paramref name="program"/> under <c>/usr/bin/time -f "%U %S %M"</c> and measures it.</summary>
    public static Measurement Run(string label, IReadOnlyList<string> arguments, string workingDirectory, string program)
    {
        string timeFile = Path.Combine(workingDirectory, "time.txt");
        var startInfo = new ProcessStartInfo("/usr/bin/time")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "-f", "%U %S %M", "-o", timeFile, program }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using Process process = Process.Start(startInfo) ?? throw new InvalidOperationException("/usr/bin/time could not be started; install Debian's time package.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        stopwatch.Stop();

        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"{label} failed:\n{output.Result}{error.Result}");
        }

        // The last line is "USER SYSTEM PEAK": seconds, seconds, KiB.
        string[] lines = File.Exists(timeFile) ? File.ReadAllLines(timeFile) : [];
        string[] fields = lines.Length > 0 ? lines[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        double cpuSeconds = double.NaN;
        double peakMegabytes = double.NaN;
        if (fields.Length == 3
            && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double user)
            && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double system)
            && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out long kibibytes))
        {
            cpuSeconds = user + system;
            peakMegabytes = kibibytes * 1024 / 1e6;
        }

        return new Measurement(label, stopwatch.Elapsed.TotalSeconds, cpuSeconds, peakMegabytes, process.ExitCode);
    }
}
