using System.Diagnostics;
using System.Globalization;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.Plan;

namespace Osv.Benchmarks;

/// <summary>
/// Writes a ZFS pool of about 200 MB in 2,000 files of varied sizes and compares the time with <c>cat</c>
/// copying the same files into one file, the floor for reading and writing those bytes (checksums are part
/// of the writer's time). The pool is written in a child process run under <c>/usr/bin/time -f %M</c>,
/// which reports that whole process's peak memory.
/// </summary>
internal sealed class ZfsWriteBenchmark : IBenchmark, IHelperMode
{
    private const double TimeRatioTarget = 2.0;
    private const double PeakMemoryTargetMegabytes = 200;
    private const int Repetitions = 5;

    /// <inheritdoc/>
    public string Name => "zfs-write";

    /// <inheritdoc/>
    public string Description => "ZFS pool of ~200 MB in 2,000 files vs cat of the same files; peak memory of the writer process";

    /// <inheritdoc/>
    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        // The payload: reproducible incompressible files whose sizes spread over four orders of magnitude.
        string payload = Path.Combine(context.WorkDirectory, "payload");
        int fileCount = context.Quick ? 200 : 2000;
        List<string> files = PayloadGenerator.Generate(payload, fileCount, context.Quick ? 20L << 20 : 200L << 20, seed: 2026);
        long totalBytes = files.Sum(f => new FileInfo(f).Length);
        string catOutput = Path.Combine(context.WorkDirectory, "cat.out");
        string pool = Path.Combine(context.WorkDirectory, "pool.img");
        string program = Environment.ProcessPath!;
        string[] prefix = Path.GetFileNameWithoutExtension(program) == "dotnet" ? [typeof(ZfsWriteBenchmark).Assembly.Location] : [];
        string[] catArguments = ["-c", "exec cat \"$@\" > \"$0\"", catOutput, .. files];
        string[] writerArguments = [.. prefix, "--helper", Name, payload, pool];

        // Warm the page cache and the disk's free space, then keep the fastest of several runs of each,
        // alternating so that both see the same load. Old outputs are deleted first, so that no run pays
        // for truncating the previous one.
        Measure.Run("cat", catArguments, context.WorkDirectory, "/bin/sh");
        double catSeconds = double.MaxValue;
        double writerSeconds = double.MaxValue;
        double peakMegabytes = 0;
        for (int i = 0; i < Repetitions; i++)
        {
            File.Delete(catOutput);
            Measurement cat = Measure.Run("cat", catArguments, context.WorkDirectory, "/bin/sh");
            catSeconds = Math.Min(catSeconds, cat.Seconds);

            File.Delete(pool);
            (Measurement writer, double writeSeconds) = RunWriter(writerArguments, context.WorkDirectory, program);
            writerSeconds = Math.Min(writerSeconds, writeSeconds);
            peakMegabytes = Math.Max(peakMegabytes, writer.PeakMegabytes);
        }

        double ratio = writerSeconds / catSeconds;
        string details = string.Create(CultureInfo.InvariantCulture,
            $"{fileCount} files, {totalBytes / 1e6:0.0} MB; pool write {writerSeconds * 1000:0} ms (in the child, without process start), cat {catSeconds * 1000:0} ms, best of {Repetitions}; writer process peak RSS {peakMegabytes:0.0} MB");
        return
        [
            new BenchmarkResult(Name, "time ratio to cat", ratio, TimeRatioTarget, HigherIsBetter: false, details),
            new BenchmarkResult(Name, "peak memory of the writer process (MB)", peakMegabytes, PeakMemoryTargetMegabytes, HigherIsBetter: false, details),
        ];
    }

    /// <summary>
    /// Writes the pool for every file under <c>arguments[0]</c> into <c>arguments[1]</c> and prints
    /// <c>seconds=S</c>, the time of the write alone.
    /// </summary>
    public int RunHelper(string[] arguments)
    {
        if (arguments.Length != 2)
        {
            Console.Error.WriteLine("usage: Osv.Benchmarks --helper zfs-write PAYLOAD-FOLDER POOL-FILE");
            return 2;
        }

        var plan = new ImagePlan();
        foreach (string file in Directory.EnumerateFiles(arguments[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            plan.AddFile("/app/" + Path.GetRelativePath(arguments[0], file).Replace('\\', '/'), file, new FileInfo(file).Length, origin: null);
        }

        var diagnostics = new DiagnosticBag();
        var stopwatch = Stopwatch.StartNew();
        long size;
        using (var stream = new FileStream(arguments[1], FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0))
        {
            size = new ZfsWriter().Write(plan, stream, new FileSystemWriteOptions(), diagnostics);
        }

        stopwatch.Stop();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            Console.Error.WriteLine(diagnostic);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={stopwatch.Elapsed.TotalSeconds:0.000000}"));
        return size > 0 ? 0 : 1;
    }

    // Runs the writer's child process; returns its measurement and the write time it printed.
    private static (Measurement Process, double WriteSeconds) RunWriter(string[] arguments, string workDirectory, string program)
    {
        string output = Path.Combine(workDirectory, "writer.txt");
        string[] shellArguments = ["-c", "exec \"$@\" > \"$0\"", output, program, .. arguments];
        Measurement measurement = Measure.Run("zfs writer", shellArguments, workDirectory, "/bin/sh");
        if (measurement.ExitCode != 0)
        {
            throw new InvalidOperationException($"The ZFS writer exited with {measurement.ExitCode}: {File.ReadAllText(output)}");
        }

        string line = File.ReadAllLines(output).Last(l => l.StartsWith("seconds=", StringComparison.Ordinal));
        return (measurement, double.Parse(line["seconds=".Length..], CultureInfo.InvariantCulture));
    }
}
