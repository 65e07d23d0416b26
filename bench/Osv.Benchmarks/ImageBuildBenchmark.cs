using System.Globalization;
using System.Runtime.InteropServices;

namespace Osv.Benchmarks;

/// <summary>
/// Times whole <c>dotnet osv build</c> processes on a payload of about 200 MB in 2,000 files, against
/// <c>cat</c> of the same files into one file, which is the I/O floor for writing them into an image,
/// and against OSv's gen-rofs-img.py when OSV_SRC names an OSv source tree. Peak memory is the maximum
/// resident set size that /usr/bin/time reports.
/// </summary>
/// <remarks>
/// The tool measured is the one <c>dotnet publish src/Cli -c Release -r RID</c> makes, a native
/// executable, published into the run's folder (OSV_TOOL names another). The framework-dependent build
/// from <c>dotnet build -c Release</c>, which a JIT compiles at every start, is timed once more beside it
/// for comparison when it exists; it has no target.
/// </remarks>
internal sealed class ImageBuildBenchmark : IBenchmark
{
    private const int FileCount = 2000;
    private const long PayloadBytes = 200L * 1000 * 1000;
    private const int QuickFileCount = 200;
    private const long QuickPayloadBytes = 10L * 1000 * 1000;
    private const int RoundCount = 7;

    // Targets: ROFS within 1.5x and ZFS within 2x of the cat floor, and ROFS at least 2.5x faster
    // than gen-rofs-img.py. Peak memory stays below 150 MB for ROFS and 200 MB for ZFS.
    private const double RofsFloorRatio = 1.5;
    private const double ZfsFloorRatio = 2.0;
    private const double GenRofsSpeedup = 2.5;
    private const double RofsPeakMegabytes = 150;
    private const double ZfsPeakMegabytes = 200;

    public string Name => "image-build";

    public string Description => "dotnet osv build (ROFS raw, ROFS qcow2, ZFS raw) of 200 MB in 2,000 files vs cat of the same files and gen-rofs-img.py";

    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        string tool = FindTool(context);
        int fileCount = context.Quick ? QuickFileCount : FileCount;
        long payloadBytes = context.Quick ? QuickPayloadBytes : PayloadBytes;
        int rounds = context.Quick ? 1 : RoundCount;

        // Prepare the payload, a program to name on the command line, and the manifest.
        string payload = Path.Combine(context.WorkDirectory, "payload");
        List<string> files = PayloadGenerator.Generate(payload, fileCount, payloadBytes, seed: 20261204);
        string program = BuildHello(context.WorkDirectory);
        string manifest = Path.Combine(context.WorkDirectory, "usr.manifest");
        File.WriteAllText(manifest, $"/hello.so: {program}\n/payload/**: {payload}/**\n");
        string fileList = Path.Combine(context.WorkDirectory, "files.txt");
        File.WriteAllLines(fileList, files);
        long totalBytes = files.Sum(f => new FileInfo(f).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   payload: {files.Count} files, {totalBytes / 1e6:0.0} MB; tool: {tool}"));

        // Warm the page cache so that every contender reads from memory.
        _ = Measure.Run("cat", ["-c", $"xargs -a '{fileList}' cat > /dev/null"], context.WorkDirectory, "bash");

        // The contenders run in turn, round after round, and each keeps its fastest round. The time of
        // a write depends on how much of the earlier writes the kernel is still flushing to disk, so
        // every run starts after sync(1), with no dirty pages: the same conditions for each contender.
        var contenders = new List<(string Label, Func<Measurement> Run)>
        {
            ("cat floor", () => Measure.Run("cat", ["-c", $"xargs -a '{fileList}' cat > '{Path.Combine(context.WorkDirectory, "cat.out")}'"], context.WorkDirectory, "bash")),
            ("rofs raw", () => Build(tool, context, manifest, "rofs", "raw")),
            ("rofs qcow2", () => Build(tool, context, manifest, "rofs", "qcow2")),
            ("zfs raw", () => Build(tool, context, manifest, "zfs", "raw", size: context.Quick ? "256M" : "1G")),
        };

        // gen-rofs-img.py runs only when an OSv checkout is given.
        string? osvSource = Environment.GetEnvironmentVariable("OSV_SRC");
        string genRofs = osvSource is null ? string.Empty : Path.Combine(osvSource, "scripts", "gen-rofs-img.py");
        bool withPython = File.Exists(genRofs);
        if (withPython)
        {
            contenders.Add(("gen-rofs-img.py", () => Measure.Run("gen-rofs-img.py",
                [genRofs, "-o", Path.Combine(context.WorkDirectory, "gen-rofs.img"), "-m", manifest], context.WorkDirectory, "python3")));
        }
        else
        {
            Console.WriteLine("   gen-rofs-img.py:  skipped; set OSV_SRC to an OSv source tree to compare");
        }

        // The JIT-compiled build, for comparison only.
        string jitTool = Path.Combine(context.RepositoryRoot, "src", "Cli", "bin", "Release", "net10.0", "dotnet-osv");
        bool withJit = File.Exists(jitTool) && jitTool != tool;
        if (withJit)
        {
            contenders.Add(("rofs raw, JIT", () => Build(jitTool, context, manifest, "rofs", "raw")));
        }

        Dictionary<string, Measurement> best = Rounds(contenders, rounds, context.WorkDirectory);
        foreach ((string label, Measurement measurement) in best)
        {
            Console.WriteLine($"   {label + ":",-17} {measurement}");
        }

        Measurement floor = best["cat floor"];
        Measurement rofsRaw = best["rofs raw"];
        Measurement rofsQcow2 = best["rofs qcow2"];
        Measurement zfsRaw = best["zfs raw"];
        if (withJit)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   (the JIT-compiled {jitTool} is {best["rofs raw, JIT"].Seconds / floor.Seconds:0.00} x cat for ROFS raw; no target)"));
        }

        var results = new List<BenchmarkResult>
        {
            Ratio("ROFS raw time / cat", rofsRaw, floor, RofsFloorRatio),
            Ratio("ROFS qcow2 time / cat", rofsQcow2, floor, RofsFloorRatio),
            Ratio("ZFS raw time / cat", zfsRaw, floor, ZfsFloorRatio),
            Peak("ROFS raw peak MB", rofsRaw, RofsPeakMegabytes),
            Peak("ROFS qcow2 peak MB", rofsQcow2, RofsPeakMegabytes),
            Peak("ZFS raw peak MB", zfsRaw, ZfsPeakMegabytes),
        };

        if (withPython)
        {
            Measurement python = best["gen-rofs-img.py"];
            results.Add(new BenchmarkResult(Name, "gen-rofs-img.py time / ROFS raw time", python.Seconds / rofsRaw.Seconds, GenRofsSpeedup, HigherIsBetter: true,
                string.Create(CultureInfo.InvariantCulture, $"gen-rofs-img.py {python.Seconds:0.000} s, dotnet osv {rofsRaw.Seconds:0.000} s; CPU {python.CpuSeconds:0.000} s and {rofsRaw.CpuSeconds:0.000} s")));
        }

        return results;
    }

    // Runs every contender once a round and keeps each one's fastest run; a failed run stops the benchmark.
    private static Dictionary<string, Measurement> Rounds(List<(string Label, Func<Measurement> Run)> contenders, int rounds, string workDirectory)
    {
        var best = new Dictionary<string, Measurement>(StringComparer.Ordinal);
        for (int round = 0; round < rounds; round++)
        {
            foreach ((string label, Func<Measurement> run) in contenders)
            {
                _ = Measure.Run("sync", [], workDirectory, "sync");
                Measurement measurement = run();
                if (measurement.ExitCode != 0)
                {
                    throw new InvalidOperationException($"{measurement.Label} exited with {measurement.ExitCode}.");
                }

                if (!best.TryGetValue(label, out Measurement? fastest) || measurement.Seconds < fastest.Seconds)
                {
                    best[label] = measurement;
                }
            }
        }

        return best;
    }

    private BenchmarkResult Ratio(string metric, Measurement build, Measurement floor, double target) =>
        new(Name, metric, build.Seconds / floor.Seconds, target, HigherIsBetter: false,
            string.Create(CultureInfo.InvariantCulture, $"build {build.Seconds:0.000} s, cat {floor.Seconds:0.000} s; CPU build {build.CpuSeconds:0.000} s, cat {floor.CpuSeconds:0.000} s"));

    private BenchmarkResult Peak(string metric, Measurement build, double target) =>
        new(Name, metric, build.PeakMegabytes, target, HigherIsBetter: false,
            string.Create(CultureInfo.InvariantCulture, $"maximum resident set {build.PeakMegabytes:0.0} MB"));

    private static Measurement Build(string tool, BenchmarkContext context, string manifest, string fileSystem, string format, string? size = null)
    {
        string output = Path.Combine(context.WorkDirectory, $"out-{fileSystem}-{format}");
        var arguments = new List<string> { "build", manifest, "--cmdline", "/hello.so", "--fs", fileSystem, "--format", format, "--output", output, "--quiet" };
        if (size is not null)
        {
            arguments.AddRange(["--size", size]);
        }

        return Measure.Run($"dotnet osv build {fileSystem} {format}", [.. arguments], context.WorkDirectory, tool);
    }

    // The native tool from 'dotnet publish -r RID', published into the run's folder; OSV_TOOL overrides it.
    // Without clang the native compiler fails, and the tool is published with ReadyToRun code instead.
    private static string FindTool(BenchmarkContext context)
    {
        string? configured = Environment.GetEnvironmentVariable("OSV_TOOL");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        string project = Path.Combine(context.RepositoryRoot, "src", "Cli", "Cli.csproj");
        string rid = RuntimeInformation.RuntimeIdentifier;
        foreach ((string kind, string[] extra) in new[] { ("native (AOT)", Array.Empty<string>()), ("ReadyToRun", ["-p:OsvPublishAot=false"]) })
        {
            string output = Path.Combine(context.WorkDirectory, "tool-" + (extra.Length == 0 ? "aot" : "r2r"));
            Measurement publish = Measure.Run("dotnet publish", ["publish", project, "-c", "Release", "-r", rid, "-o", output, "-nologo", .. extra], context.WorkDirectory, "dotnet");
            string candidate = Path.Combine(output, "dotnet-osv");
            if (publish.ExitCode == 0 && File.Exists(candidate))
            {
                Console.WriteLine($"   tool: {kind}, published for {rid} in {publish.Seconds:0.0} s");
                return candidate;
            }

            Console.WriteLine($"   publishing the {kind} tool failed; see the output above.");
        }

        throw new InvalidOperationException("'dotnet publish src/Cli -r " + rid + "' failed both as a native and as a ReadyToRun tool; fix the publish or set OSV_TOOL.");
    }

    private static string BuildHello(string directory)
    {
        string source = Path.Combine(directory, "hello.c");
        string library = Path.Combine(directory, "hello.so");
        File.WriteAllText(source, "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
        Measurement gcc = Measure.Run("gcc", ["-fPIC", "-shared", "-o", library, source], directory, "gcc");
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException("gcc failed to build the benchmark's hello.so; install gcc with .ci/install-prerequisites.");
        }

        return library;
    }
}
