using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Osv.Benchmarks;

/// <summary>
/// Times a whole process that extracts the ELF facts the analysis needs (header, dynamic section,
/// dynamic symbols with versions) from every ELF file under /usr/lib/x86_64-linux-gnu, against one
/// batched <c>readelf -h -d --dyn-syms -V -W</c> over the same files (through xargs), and checks that
/// the peak memory of the scan does not grow with the number of files.
/// </summary>
/// <remarks>
/// The time ratio uses CPU time (user + system, children included, from /usr/bin/time). The machines
/// this runs on are shared, so wall-clock time there measures the other jobs as much as this one.
/// Both processes are single-threaded apart from the .NET runtime's own threads, which count
/// against the scan. Wall-clock times are reported beside the ratio.
/// </remarks>
internal sealed class ElfScanBenchmark : IBenchmark
{
    private const string LibraryFolder = "/usr/lib/x86_64-linux-gnu";
    private const string TimeProgram = "/usr/bin/time";

    // How many times each process runs. The run with the least CPU time counts, so a busy machine penalises less.
    private const int Repetitions = 5;

    /// <inheritdoc/>
    public string Name => "elf-scan";

    /// <inheritdoc/>
    public string Description => $"ELF facts of every file under {LibraryFolder}: a scan process against batched readelf, and its peak memory at two file counts";

    /// <inheritdoc/>
    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        List<string> files = FindElfFiles(LibraryFolder);
        if (context.Quick)
        {
            files = files.Where((_, index) => index % 10 == 0).ToList();
        }

        string allList = Path.Combine(context.WorkDirectory, "all.txt");
        File.WriteAllLines(allList, files);

        // The smaller set keeps the largest files, so the peak memory depends only on how many files there are.
        List<string> largest = files.OrderByDescending(f => new FileInfo(f).Length).Take(8).ToList();
        List<string> quarter = largest.Concat(files.Except(largest).Where((_, index) => index % 4 == 0)).ToList();
        string quarterList = Path.Combine(context.WorkDirectory, "quarter.txt");
        File.WriteAllLines(quarterList, quarter);

        string[] helper = HelperCommand();
        int repetitions = context.Quick ? 1 : Repetitions;

        // Warm the page cache and the helper's files once, then time each side.
        _ = Measure([.. helper, ElfScanHelper.Switch, "osv", allList]);
        _ = Measure(["sh", "-c", $"xargs -a '{allList}' readelf -h -d --dyn-syms -V -W > /dev/null 2>&1"]);

        Measurement scan = Best(repetitions, [.. helper, ElfScanHelper.Switch, "osv", allList]);
        Measurement readelf = Best(repetitions, ["sh", "-c", $"xargs -a '{allList}' readelf -h -d --dyn-syms -V -W > /dev/null 2>&1"]);
        Measurement elfSharp = Best(1, [.. helper, ElfScanHelper.Switch, "elfsharp", allList]);
        Measurement quarterScan = Best(repetitions, [.. helper, ElfScanHelper.Switch, "osv", quarterList]);

        double speedup = readelf.CpuSeconds / scan.CpuSeconds;
        double memoryRatio = (double)scan.PeakKilobytes / quarterScan.PeakKilobytes;
        Console.WriteLine($"scan of {files.Count} files: {scan.Output}");
        Console.WriteLine($"scan of {quarter.Count} files: {quarterScan.Output}");
        Console.WriteLine($"ELFSharp: {elfSharp.Output}");
        return
        [
            new BenchmarkResult(Name, "CPU time ratio readelf / scan", speedup, 10, HigherIsBetter: true,
                string.Create(CultureInfo.InvariantCulture,
                    $"{files.Count} files; CPU, least of {repetitions}: scan {scan.CpuSeconds:0.000} s, readelf {readelf.CpuSeconds:0.000} s, ELFSharp without versions {elfSharp.CpuSeconds:0.000} s; wall: scan {scan.WallSeconds:0.000} s, readelf {readelf.WallSeconds:0.000} s, ELFSharp {elfSharp.WallSeconds:0.000} s")),
            new BenchmarkResult(Name, "peak RSS ratio all / quarter of the files", memoryRatio, 1.25, HigherIsBetter: false,
                string.Create(CultureInfo.InvariantCulture,
                    $"median of {repetitions}: {files.Count} files {scan.PeakKilobytes / 1024.0:0.0} MiB, {quarter.Count} files {quarterScan.PeakKilobytes / 1024.0:0.0} MiB (the 8 largest files in both)")),
        ];
    }

    // The command that starts this executable again: the apphost, or dotnet with the assembly.
    private static string[] HelperCommand()
    {
        string process = Environment.ProcessPath ?? "dotnet";
        string assembly = Assembly.GetExecutingAssembly().Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, assembly] : [process];
    }

    // One measured process: wall-clock and CPU seconds, peak RSS in KiB, and its standard output.
    private sealed record Measurement(double WallSeconds, double CpuSeconds, long PeakKilobytes, string Output);

    // Several runs of one command, summarised as the least CPU time (the run least disturbed by other
    // jobs) and the median peak RSS (the GC sizes its heap a little differently from run to run).
    private static Measurement Best(int repetitions, string[] command)
    {
        var runs = new List<Measurement>();
        for (int i = 0; i < repetitions; i++)
        {
            runs.Add(Measure(command));
        }

        Measurement fastest = runs.MinBy(r => r.CpuSeconds)!;
        long medianPeak = runs.Select(r => r.PeakKilobytes).Order().ElementAt(runs.Count / 2);
        return fastest with { PeakKilobytes = medianPeak };
    }

    // Runs the command under /usr/bin/time, which writes "user system peak-RSS" to a file, and times it from start to exit.
    private static Measurement Measure(string[] command)
    {
        string peakFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(TimeProgram)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in (string[])["-f", "%U %S %M", "-o", peakFile, .. command])
            {
                start.ArgumentList.Add(argument);
            }

            var stopwatch = Stopwatch.StartNew();
            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Failed to start {TimeProgram}; install the time package.");
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            stopwatch.Stop();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{string.Join(' ', command)} failed with exit code {process.ExitCode}: {error.Result}");
            }

            string[] fields = File.ReadAllText(peakFile).Trim().Split('\n')[^1].Split(' ');
            double cpu = double.Parse(fields[0], CultureInfo.InvariantCulture) + double.Parse(fields[1], CultureInfo.InvariantCulture);
            long peak = long.Parse(fields[2], CultureInfo.InvariantCulture);
            return new Measurement(stopwatch.Elapsed.TotalSeconds, cpu, peak, output.Result.Trim());
        }
        finally
        {
            File.Delete(peakFile);
        }
    }

    // Regular files (not links) that start with the ELF magic, sorted so runs are comparable.
    private static List<string> FindElfFiles(string folder)
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
                // An unreadable file is left out of both sides.
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
