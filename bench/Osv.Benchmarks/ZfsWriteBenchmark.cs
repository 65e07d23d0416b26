using System.Diagnostics;
using System.Globalization;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.Plan;

namespace Osv.Benchmarks;

/// <summary>
/// Writes a ZFS pool of about 200 MB in about 2,000 files of varied sizes and compares the time with
/// <c>cat</c> copying the same files into one file, the floor for reading and writing those bytes. The pool
/// is written in a child process run under <c>/usr/bin/time -f %M</c>, which reports that process's peak
/// memory.
/// </summary>
internal sealed class ZfsWriteBenchmark : IBenchmark, IHelperMode
{
    private const double TimeRatioTarget = 2.0;
    private const double PeakMemoryTargetMegabytes = 200;
    private const int Repetitions = 3;
    private const string TimeTool = "/usr/bin/time";

    /// <inheritdoc/>
    public string Name => "zfs-write";

    /// <inheritdoc/>
    public string Description => "ZFS pool writer on ~200 MB in ~2,000 files vs cat of the same files; peak memory of the writer process.";

    /// <inheritdoc/>
    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        // The payload: reproducible incompressible files, from 1 KiB to about 1 MiB, log-uniform.
        string payload = Path.Combine(context.WorkDirectory, "payload");
        (int fileCount, long totalBytes) = CreatePayload(payload, context.Quick ? 200 : 2000, context.Quick ? 20L << 20 : 200L << 20);
        string[] files = Directory.GetFiles(payload, "*", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);

        // Warm the page cache, so that both sides read from memory.
        RunCat(files, Path.Combine(context.WorkDirectory, "warm.out"));

        // The floor: cat copies every byte once.
        double catSeconds = double.MaxValue;
        for (int i = 0; i < Repetitions; i++)
        {
            catSeconds = Math.Min(catSeconds, RunCat(files, Path.Combine(context.WorkDirectory, "cat.out")));
        }

        // The writer, in a child process whose peak resident memory /usr/bin/time reports.
        double writerSeconds = double.MaxValue;
        long peakKilobytes = 0;
        for (int i = 0; i < Repetitions; i++)
        {
            (double seconds, long kilobytes) = RunHelperProcess(payload, Path.Combine(context.WorkDirectory, "pool.img"));
            writerSeconds = Math.Min(writerSeconds, seconds);
            peakKilobytes = Math.Max(peakKilobytes, kilobytes);
        }

        double ratio = writerSeconds / catSeconds;
        double peakMegabytes = peakKilobytes / 1024.0;
        string details = string.Create(CultureInfo.InvariantCulture,
            $"{fileCount} files, {totalBytes / 1e6:0.0} MB; writer {writerSeconds:0.000} s (best of {Repetitions}), cat {catSeconds:0.000} s; peak RSS {peakMegabytes:0.0} MB");
        Console.WriteLine(details);
        return
        [
            new BenchmarkResult(Name, "time ratio to cat", ratio, TimeRatioTarget, HigherIsBetter: false, details),
            new BenchmarkResult(Name, "peak memory of the writer process (MB)", peakMegabytes, PeakMemoryTargetMegabytes, HigherIsBetter: false, details),
        ];
    }

    /// <summary>Writes the pool for the files under <c>arguments[0]</c> into <c>arguments[1]</c> and prints the seconds the write took.</summary>
    public int RunHelper(string[] arguments)
    {
        if (arguments.Length != 2)
        {
            Console.Error.WriteLine("Usage: --helper zfs-write PAYLOAD-FOLDER POOL-FILE");
            return 2;
        }

        var plan = new ImagePlan();
        foreach (string file in Directory.EnumerateFiles(arguments[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            plan.AddFile("/" + Path.GetRelativePath(arguments[0], file).Replace('\\', '/'), file, new FileInfo(file).Length, origin: null);
        }

        var diagnostics = new DiagnosticBag();
        var stopwatch = Stopwatch.StartNew();
        long size;
        using (FileStream stream = new(arguments[1], FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16))
        {
            size = new ZfsWriter().Write(plan, stream, new FileSystemWriteOptions(), diagnostics);
        }

        stopwatch.Stop();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            Console.Error.WriteLine(diagnostic);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={stopwatch.Elapsed.TotalSeconds:0.000000} size={size}"));
        return size > 0 ? 0 : 1;
    }

    // Creates count files under folder whose sizes sum to about totalBytes.
    private static (int Count, long Bytes) CreatePayload(string folder, int count, long totalBytes)
    {
        var random = new Random(2026);
        var weights = new double[count];
        for (int i = 0; i < count; i++)
        {
            weights[i] = Math.Exp(random.NextDouble() * Math.Log(1024)); // 1 to 1024, log-uniform
        }

        double scale = totalBytes / weights.Sum();
        long written = 0;
        var buffer = new byte[1 << 20];
        for (int i = 0; i < count; i++)
        {
            int size = (int)Math.Max(1024, weights[i] * scale);
            string path = Path.Combine(folder, $"dir{i % 20:D2}", $"file{i:D4}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using FileStream stream = File.Create(path);
            for (int left = size; left > 0; left -= buffer.Length)
            {
                random.NextBytes(buffer);
                stream.Write(buffer, 0, Math.Min(left, buffer.Length));
            }

            written += size;
        }

        return (count, written);
    }

    // Runs cat over the files into output and returns the wall time in seconds.
    private static double RunCat(string[] files, string output)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec cat \"$@\" > \"$0\"");
        start.ArgumentList.Add(output);
        foreach (string file in files)
        {
            start.ArgumentList.Add(file);
        }

        var stopwatch = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        process.WaitForExit();
        stopwatch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cat exited with {process.ExitCode}.");
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    // Runs this executable in helper mode under /usr/bin/time; returns the write's seconds and the peak RSS in KiB.
    private (double Seconds, long Kilobytes) RunHelperProcess(string payload, string pool)
    {
        if (!File.Exists(TimeTool))
        {
            throw new InvalidOperationException($"{TimeTool} is missing; install the 'time' package (see .ci/install-prerequisites).");
        }

        var start = new ProcessStartInfo(TimeTool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("peak-kilobytes=%M");
        string host = Environment.ProcessPath!;
        start.ArgumentList.Add(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ZfsWriteBenchmark).Assembly.Location);
        }

        foreach (string argument in new[] { "--helper", Name, payload, pool })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string errorText = errors.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The writer helper exited with {process.ExitCode}: {output}{errorText}");
        }

        double seconds = double.Parse(Field(output, "seconds="), CultureInfo.InvariantCulture);
        long kilobytes = long.Parse(Field(errorText, "peak-kilobytes="), CultureInfo.InvariantCulture);
        return (seconds, kilobytes);
    }

    // The value after key up to the end of its word.
    private static string Field(string text, string key)
    {
        int start = text.LastIndexOf(key, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"The helper printed no '{key}': {text}");
        }

        start += key.Length;
        int end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return text[start..end];
    }
}
