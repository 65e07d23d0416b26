using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Inspect;
using Osv.Manifests.Expand;
using Osv.Manifests.Parse;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.OsvBuild;

/// <summary>
/// Our ROFS writer against the ROFS partition OSv's gen-rofs-img.py wrote for the build named by
/// OSV_BUILD_DIR (an fs=rofs build): the same manifest, read by our parser, must give the same bytes.
/// </summary>
public sealed class OsvRofsParityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("osv-rofs-parity-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Rofs_MatchesOsvPartition()
    {
        string build = OsvBuildEnvironment.RequireBuild();
        string source = OsvBuildEnvironment.RequireSource();
        if (OsvBuildEnvironment.BuildFileSystem() != FileSystemKind.Rofs)
        {
            Assert.Skip($"{build} is not an fs=rofs build, so its usr.img has no ROFS partition.");
        }

        ImagePlan plan = ReadBuildManifest(build, source, Path.Combine(_folder, "usr.manifest"));
        string ours = Path.Combine(_folder, "rofs.img");
        using (var output = new FileStream(ours, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            var diagnostics = new DiagnosticBag();
            Assert.True(new RofsWriter().Write(plan, output, new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken) > 0, string.Join("\n", diagnostics));
        }

        using DiskImage image = DiskImage.Open(Path.Combine(build, "usr.img"));
        using Stream partition = image.OpenPartition(2);
        byte[] expected = new byte[partition.Length];
        partition.ReadExactly(expected);
        byte[] actual = File.ReadAllBytes(ours);
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"The ROFS image differs from OSv's first at byte {expected.AsSpan().CommonPrefixLength(actual)}.");
    }

    // Reads the build's usr.manifest as gen-rofs-img.py does when it runs in the build folder.
    private static ImagePlan ReadBuildManifest(string build, string source, string manifest)
    {
        // The build folder may have been copied out of its source tree, where "../../" named the tree.
        File.WriteAllText(manifest, File.ReadAllText(Path.Combine(build, "usr.manifest")).Replace("../../", source + "/", StringComparison.Ordinal));
        var diagnostics = new DiagnosticBag();
        var reader = new ManifestReader(new ManifestReaderOptions { BaseDirectory = build });
        ImagePlan plan = new PlanExpander().Expand(reader.ReadFile(manifest, diagnostics), diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics));

        // gen-rofs-img.py stores the -stripped.so copy of every shared object built in the build folder
        // (strip_file in scripts/manifest_common.py), while our expander copies what the line names.
        // NOTE: a plan made from an OSv build folder gets the unstripped objects until the expander
        // applies that rule.
        foreach (PlanEntry entry in plan.Entries.Where(e => e.Node is GuestFile).ToList())
        {
            var file = (GuestFile)entry.Node;
            bool builtHere = file.HostPath.EndsWith(".so", StringComparison.Ordinal) && Path.GetFullPath(file.HostPath).StartsWith(build + "/", StringComparison.Ordinal);
            string stripped = builtHere ? file.HostPath[..^".so".Length] + "-stripped.so" : string.Empty;
            if (builtHere && File.Exists(stripped))
            {
                plan.AddFile(entry.GuestPath, stripped, new FileInfo(stripped).Length, file.Origin);
            }
        }

        return plan;
    }
}
