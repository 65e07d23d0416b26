using System.Globalization;
using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.Plan;

namespace Osv.Benchmarks;

/// <summary>
/// Measures writing a whole kernel-less ROFS disk of a payload in each container format through
/// <see cref="ImageFileWriter"/> (temporary file, rename) against a plain copy of the same files.
/// </summary>
internal sealed class ImageWriteBenchmark : IBenchmark
{
    private const int Runs = 5;

    public string Name => "image-write";

    public string Description => "raw, qcow2 and VMDK disks of a 200 MB payload vs a plain copy of the same files";

    public IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context)
    {
        long payload = context.Quick ? 20L << 20 : 200L << 20;
        ImagePlan plan = RofsWriteBenchmark.CreatePayload(context.WorkDirectory, payload);
        string copyPath = Path.Combine(context.WorkDirectory, "copy.bin");

        // Targets: raw and uncompressed qcow2 write the payload once, as the copy does. Compressed qcow2
        // and VMDK read a temporary raw disk once more and deflate every cluster or grain, so compression
        // bounds them. The payload is random bytes.
        (ContainerFormat Format, bool Compress, double Target)[] cases =
        [
            (ContainerFormat.Raw, false, 1.5),
            (ContainerFormat.Qcow2, false, 1.5),
            (ContainerFormat.Qcow2, true, 40.0),
            (ContainerFormat.Vmdk, false, 40.0),
        ];
        var results = new List<BenchmarkResult>();
        foreach ((ContainerFormat format, bool compress, double target) in cases)
        {
            string path = Path.Combine(context.WorkDirectory, "disk." + format.ToString().ToLowerInvariant());
            void Write()
            {
                var diagnostics = new DiagnosticBag();
                var layout = new DiskLayout { FileSystem = new RofsWriter(), Plan = plan, VirtualSize = 1L << 30 };
                if (ImageFileWriter.Write(layout, path, format, new ContainerOptions { Compress = compress }, diagnostics) is null)
                {
                    throw new InvalidOperationException(string.Join("; ", diagnostics));
                }
            }

            // Warm up, then alternate the two so that both see the same load on a shared machine. Each
            // write replaces the image of the run before, as a rebuild does.
            Write();
            RofsWriteBenchmark.CopyFiles(plan, copyPath);
            double seconds = double.MaxValue;
            double copy = double.MaxValue;
            for (int run = 0; run < Runs; run++)
            {
                copy = Math.Min(copy, RofsWriteBenchmark.Time(() => RofsWriteBenchmark.CopyFiles(plan, copyPath)));
                seconds = Math.Min(seconds, RofsWriteBenchmark.Time(Write));
            }

            string label = format + (compress ? " compressed" : string.Empty);
            string details = string.Create(CultureInfo.InvariantCulture, $"{label} {seconds * 1000:0} ms, copy {copy * 1000:0} ms for {payload >> 20} MiB, best of {Runs}");
            results.Add(new BenchmarkResult(Name, $"{label} time ratio to a plain copy", seconds / copy, target, HigherIsBetter: false, details));
            File.Delete(path);
        }

        return results;
    }
}
