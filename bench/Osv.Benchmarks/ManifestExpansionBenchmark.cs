using System.Diagnostics;
using System.Globalization;
using System.Text;
using Osv.Diagnostics;
using Osv.Manifests.Expand;
using Osv.Manifests.Parse;

namespace Osv.Benchmarks;

/// <summary>
/// Measures manifest reading against splitting the same text into lines and fields, and /** tree
/// expansion against a plain recursive listing of the same host tree.
/// </summary>
internal sealed class ManifestExpansionBenchmark : IBenchmark
{
    // Reading does module composition, % formatting, path checks and duplicate tracking on every line,
    // so it costs several times a bare split. More than 15 times would mean a quadratic step.
    // Measured 3.2 to 6.3 on a loaded 2-core machine (200,000 lines, about 7 µs a line).
    private const double MaxReadRatio = 15.0;

    // A quick run's inputs take a few milliseconds, so its ratios are noise; it only smoke-tests the code.
    private const double QuickRunSlack = 10.0;

    // Expansion checks each entry with lstat, builds the plan and checks duplicates, so it costs more
    // than one listing. More than 25 times would mean repeated work per file. Measured 4.3 to 10 on a
    // loaded 2-core machine (10,000 files, about 490 ms); resolving every file component by component
    // took 1,840 ms in the same setting.
    private const double MaxExpandRatio = 25.0;

    public string Name => "manifest-expand";

    public string Description => "ManifestReader vs splitting lines, and PlanExpander on a /** tree vs Directory.EnumerateFiles";

    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        int lines = context.Quick ? 20_000 : 200_000;
        int directories = context.Quick ? 100 : 400;
        const int FilesPerDirectory = 25;

        double slack = context.Quick ? QuickRunSlack : 1.0;
        return [MeasureRead(lines, slack), MeasureExpand(context.WorkDirectory, directories, FilesPerDirectory, slack)];
    }

    private BenchmarkResult MeasureRead(int lineCount, double slack)
    {
        var text = new StringBuilder();
        for (int i = 0; i < lineCount; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"/usr/lib/app/module{i % 97}/file{i}.so: %(libgcc_s_dir)s/../../app/file{i}.so\n");
        }

        string manifest = text.ToString();
        var options = new ManifestReaderOptions
        {
            BaseDirectory = "/build/release",
            Definitions = new Dictionary<string, string>(StringComparer.Ordinal) { ["libgcc_s_dir"] = "/usr/lib/gcc/x86_64-linux-gnu/12" },
        };

        double baseline = BestOf(5, () =>
        {
            int fields = 0;
            foreach (string line in manifest.Split('\n'))
            {
                fields += line.Split(": ", 3).Length;
            }

            return fields;
        });
        double measured = BestOf(5, () => new ManifestReader(options).ReadText(manifest, "bench.manifest", new DiagnosticBag()).Count);

        return new BenchmarkResult(Name, "read time ratio to splitting lines", measured / baseline, MaxReadRatio * slack, HigherIsBetter: false,
            string.Create(CultureInfo.InvariantCulture, $"{lineCount} lines: reader {measured:0.0} ms, split {baseline:0.0} ms"));
    }

    private BenchmarkResult MeasureExpand(string work, int directoryCount, int filesPerDirectory, double slack)
    {
        string root = Path.Combine(work, "tree");
        for (int d = 0; d < directoryCount; d++)
        {
            string directory = Path.Combine(root, $"level{d % 7}", $"dir{d}");
            Directory.CreateDirectory(directory);
            for (int f = 0; f < filesPerDirectory; f++)
            {
                File.WriteAllBytes(Path.Combine(directory, $"file{f}.so"), []);
            }
        }

        var reader = new ManifestReader(new ManifestReaderOptions { BaseDirectory = work });
        IReadOnlyList<ManifestEntry> entries = reader.ReadText("/app/**: tree/**\n", "bench.manifest", new DiagnosticBag());

        double baseline = BestOf(5, () => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Count(path => new FileInfo(path).Length >= 0));
        double measured = BestOf(5, () => new PlanExpander().Expand(entries, new DiagnosticBag()).Entries.Count);

        int files = directoryCount * filesPerDirectory;
        return new BenchmarkResult(Name, "tree expansion time ratio to a recursive listing", measured / baseline, MaxExpandRatio * slack, HigherIsBetter: false,
            string.Create(CultureInfo.InvariantCulture, $"{files} files: expander {measured:0.0} ms, listing {baseline:0.0} ms"));
    }

    // Returns the fastest of several runs in milliseconds, after one warm-up run.
    private static double BestOf(int runs, Func<int> action)
    {
        action();
        double best = double.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            int result = action();
            stopwatch.Stop();
            Debug.Assert(result >= 0, "The result keeps the work from being optimised away.");
            best = Math.Min(best, stopwatch.Elapsed.TotalMilliseconds);
        }

        return best;
    }
}
