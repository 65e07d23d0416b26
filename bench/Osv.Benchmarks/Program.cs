using System.Globalization;
using System.Reflection;

namespace Osv.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>Osv.Benchmarks [--quick] [NAME...]</c>. With no names every benchmark runs.
/// Exits with 1 when a target is missed, 2 on a usage error.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Hidden modes: processes that a benchmark starts and times as a whole.
        if (args.Length > 0 && args[0] == ElfScanHelper.Switch)
        {
            return ElfScanHelper.Run(args);
        }

        if (args is ["--helper", string helperName, .. string[] helperArguments])
        {
            return RunHelper(helperName, helperArguments);
        }

        bool quick = args.Contains("--quick");
        string[] names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();

        List<IBenchmark> all = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();

        if (args.Contains("--list"))
        {
            foreach (IBenchmark benchmark in all)
            {
                Console.WriteLine($"{benchmark.Name,-20} {benchmark.Description}");
            }

            return 0;
        }

        List<IBenchmark> selected = names.Length == 0 ? all : all.Where(b => names.Contains(b.Name)).ToList();
        string[] unknown = names.Except(all.Select(b => b.Name)).ToArray();
        if (unknown.Length > 0)
        {
            Console.Error.WriteLine($"Unknown benchmark: {string.Join(", ", unknown)}. Run with --list to see the names.");
            return 2;
        }

        string root = FindRepositoryRoot();
        var results = new List<BenchmarkResult>();
        foreach (IBenchmark benchmark in selected)
        {
            string work = Path.Combine(Path.GetTempPath(), "osv-bench-" + benchmark.Name + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(work);
            try
            {
                Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
                results.AddRange(benchmark.Run(new BenchmarkContext(work, root, quick)));
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }

        Console.WriteLine();
        foreach (BenchmarkResult result in results)
        {
            string comparison = result.HigherIsBetter ? ">=" : "<=";
            string verdict = result.Passed ? "pass" : "FAIL";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{verdict}  {result.Benchmark}: {result.Metric} = {result.Value:0.00} (target {comparison} {result.Target:0.00}); {result.Details}"));
        }

        return results.TrueForAll(r => r.Passed) ? 0 : 1;
    }

    // Runs the helper mode of the named benchmark.
    private static int RunHelper(string name, string[] arguments)
    {
        IHelperMode? helper = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IHelperMode).IsAssignableFrom(t) && typeof(IBenchmark).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .Select(t => Activator.CreateInstance(t)!)
            .FirstOrDefault(b => ((IBenchmark)b).Name == name) as IHelperMode;
        if (helper is null)
        {
            Console.Error.WriteLine($"No benchmark named '{name}' has a helper mode.");
            return 2;
        }

        return helper.RunHelper(arguments);
    }

    // Finds the folder that contains the solution file, starting from the executable's folder.
    private static string FindRepositoryRoot()
    {
        string? directory = Path.GetDirectoryName(Assembly.GetExecutingAssembly().Location);
        while (directory is not null && !File.Exists(Path.Combine(directory, "OsvImageTools.slnx")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? Directory.GetCurrentDirectory();
    }
}
