using System.Globalization;

namespace Osv.Benchmarks;

/// <summary>
/// Times a no-change <c>dotnet build</c> of the hello sample with the Osv.Sdk package (everything up to date:
/// no compiler runs and the image stays as it is) against a no-change <c>dotnet build</c> of an empty
/// project in the same run. The empty project has only empty Restore and Build targets, so the difference
/// is what the SDK adds. That is resolving the SDK package, evaluating its targets, loading the task
/// assembly, and checking the objects, the linked file and the image against their inputs.
/// </summary>
/// <remarks>
/// Both builds run as a user runs them: plain <c>dotnet build</c> in a new process each time, with no build
/// server and no extra switches. MSBuild builds a single project in the dotnet process itself; node reuse is
/// turned off (MSBUILDDISABLENODEREUSE=1) only so that no MSBuild worker outlives the benchmark.
/// </remarks>
internal sealed class SdkBuildBenchmark : IBenchmark
{
    private const int Repetitions = 7;
    private const int QuickRepetitions = 2;

    // Target: the no-change build of a sample takes at most 1.5 s longer than the empty project's.
    private const double MaxExtraSeconds = 1.5;

    public string Name => "sdk-noop-build";

    public string Description => "no-change dotnet build of sample-apps/hello with Osv.Sdk vs no-change dotnet build of an empty project";

    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        // Pack the SDK from this checkout into a feed of the run, and restore from nothing else.
        string feed = Path.Combine(context.WorkDirectory, "feed");
        Measurement pack = Measure.Run("dotnet pack", ["pack", Path.Combine(context.RepositoryRoot, "src", "Sdk", "Package", "Package.csproj"), "-c", "Release", "-o", feed, "-nologo"],
            context.WorkDirectory, "dotnet");
        Require(pack, "dotnet pack of the SDK failed; run 'dotnet build src/Sdk/Package -c Release' to see why.");
        File.WriteAllText(Path.Combine(context.WorkDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="benchmark" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        using var environment = new EnvironmentScope(new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(context.WorkDirectory, "packages"),
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        });

        // The two projects, each built once so the measured builds have nothing to do.
        string empty = Path.Combine(context.WorkDirectory, "empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "empty.proj"), "<Project>\n  <Target Name=\"Restore\" />\n  <Target Name=\"Build\" />\n</Project>\n");
        string sample = CopySample(context.RepositoryRoot, context.WorkDirectory);
        Require(Measure.Run("first build of empty", ["build", "-nologo"], empty, "dotnet"), "The empty project did not build.");
        Require(Measure.Run("first build of hello", ["build", "-nologo"], sample, "dotnet"), "The hello sample did not build with the packed SDK.");
        string image = Path.Combine(sample, "bin", "Debug", "hello.qcow2");
        DateTime imageTime = File.GetLastWriteTimeUtc(image);

        // Alternate the two, so that load from other processes on the machine hits both alike.
        int repetitions = context.Quick ? QuickRepetitions : Repetitions;
        var emptyTimes = new List<double>();
        var sampleTimes = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            emptyTimes.Add(Require(Measure.Run("no-change build of empty", ["build", "-nologo"], empty, "dotnet"), "The empty project failed.").Seconds);
            sampleTimes.Add(Require(Measure.Run("no-change build of hello", ["build", "-nologo"], sample, "dotnet"), "The hello sample failed.").Seconds);
        }

        if (File.GetLastWriteTimeUtc(image) != imageTime)
        {
            throw new InvalidOperationException("A no-change build of the hello sample wrote the image again, so it was not a no-change build.");
        }

        // The fastest run of each is the least disturbed one; the medians go into the record.
        double emptyBest = emptyTimes.Min();
        double sampleBest = sampleTimes.Min();
        string details = string.Create(CultureInfo.InvariantCulture,
            $"hello {sampleBest:0.000} s (median {Median(sampleTimes):0.000}), empty {emptyBest:0.000} s (median {Median(emptyTimes):0.000}), best of {repetitions}");
        Console.WriteLine("   " + details);

        return
        [
            new BenchmarkResult(Name, "seconds beyond the empty project", sampleBest - emptyBest, MaxExtraSeconds, HigherIsBetter: false, details),
            new BenchmarkResult(Name, "time ratio to the empty project", sampleBest / emptyBest, (emptyBest + MaxExtraSeconds) / emptyBest, HigherIsBetter: false, details),
        ];
    }

    // Copies the hello sample's project file and sources; the run's nuget.config above it supplies the SDK.
    private static string CopySample(string repositoryRoot, string workDirectory)
    {
        string source = Path.Combine(repositoryRoot, "sample-apps", "hello");
        string target = Path.Combine(workDirectory, "hello");
        Directory.CreateDirectory(target);
        foreach (string file in new[] { "hello.osvproj", "hello.c" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        }

        return target;
    }

    private static Measurement Require(Measurement measurement, string message) =>
        measurement.ExitCode == 0 ? measurement : throw new InvalidOperationException($"{measurement.Label}: {message}");

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // Sets environment variables for the child processes and restores the old values on Dispose.
    private sealed class EnvironmentScope : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = [];

        public EnvironmentScope(Dictionary<string, string> values)
        {
            foreach ((string name, string value) in values)
            {
                _previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach ((string name, string? value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
