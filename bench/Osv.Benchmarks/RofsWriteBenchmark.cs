using System.Diagnostics;
using System.Globalization;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.Plan;

namespace Osv.Benchmarks;

/// <summary>
/// Measures writing a ROFS image of a payload against copying the same files into one file with a plain
/// stream copy (what <c>cat</c> does), both through the page cache, and reports the time ratio.
/// </summary>
internal sealed class RofsWriteBenchmark : IBenchmark
{
    // The writer may take at most this many times as long as the plain copy.
    private const double TargetRatio = 1.5;

    private const int Runs = 5;

    public string Name => "rofs-write";

    public string Description => "ROFS image of a 200 MB payload vs a plain copy of the same files";

    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        long payload = context.Quick ? 20L << 20 : 200L << 20;
        ImagePlan plan = CreatePayload(context.WorkDirectory, payload);
        string rofsPath = Path.Combine(context.WorkDirectory, "image.rofs");
        string copyPath = Path.Combine(context.WorkDirectory, "copy.bin");

        // Warm the page cache and the JIT once, then keep the best of several runs of each.
        WriteRofs(plan, rofsPath);
        CopyFiles(plan, copyPath);
        double rofs = double.MaxValue;
        double copy = double.MaxValue;
        for (int run = 0; run < Runs; run++)
        {
            copy = Math.Min(copy, Time(() => CopyFiles(plan, copyPath)));
            rofs = Math.Min(rofs, Time(() => WriteRofs(plan, rofsPath)));
        }

        double ratio = rofs / copy;
        string details = string.Create(CultureInfo.InvariantCulture, $"ROFS {rofs * 1000:0} ms, copy {copy * 1000:0} ms for {payload >> 20} MiB in {plan.Files.Count()} files, best of {Runs}");
        return [new BenchmarkResult(Name, "time ratio to a plain copy", ratio, TargetRatio, HigherIsBetter: false, details)];
    }

    // Creates files of mixed sizes, like an application with its libraries, that add up to `total` bytes.
    internal static ImagePlan CreatePayload(string folder, long total)
    {
        var plan = new ImagePlan();
        var random = new Random(7);
        long written = 0;
        int index = 0;
        byte[] buffer = new byte[1 << 20];
        while (written < total)
        {
            int size = (int)Math.Min(total - written, index % 10 == 0 ? 20 << 20 : random.Next(1000, 3 << 20));
            string path = Path.Combine(folder, $"file{index}.bin");
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                for (int left = size; left > 0; left -= buffer.Length)
                {
                    random.NextBytes(buffer);
                    stream.Write(buffer, 0, Math.Min(left, buffer.Length));
                }
            }

            plan.AddFile($"/app/lib{index % 7}/file{index}.bin", path, size, origin: null);
            written += size;
            index++;
        }

        return plan;
    }

    private static void WriteRofs(ImagePlan plan, string path)
    {
        File.Delete(path);
        var diagnostics = new DiagnosticBag();
        using var output = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        if (new RofsWriter().Write(plan, output, new FileSystemWriteOptions(), diagnostics) < 0)
        {
            throw new InvalidOperationException(string.Join("; ", diagnostics));
        }
    }

    // The baseline: read every file and append it to one output file, as cat does.
    internal static void CopyFiles(ImagePlan plan, string path)
    {
        File.Delete(path);
        using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (GuestFile file in plan.Files)
        {
            using var input = new FileStream(file.HostPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            input.CopyTo(output, 1 << 20);
        }
    }

    internal static double Time(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalSeconds;
    }
}
