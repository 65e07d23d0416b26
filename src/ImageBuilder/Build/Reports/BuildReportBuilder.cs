using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.Build.Reports;

/// <summary>Turns the finished plan, the ELF findings and the file checksums into a <see cref="BuildReport"/>.</summary>
internal static class BuildReportBuilder
{
    /// <summary>Lists every guest entry of <paramref name="plan"/> depth-first, the root left out.</summary>
    /// <param name="plan">The final guest tree.</param>
    /// <param name="digests">Checksums by host path; files without one get no SHA-256.</param>
    /// <param name="elfOf">The ELF facts of a guest file, or null for files that are not ELF objects.</param>
    /// <param name="isGenerated">
    /// Whether a host path is a file the build generated in a scratch folder. Such files get no host
    /// path in the report, because the scratch folder's name changes from run to run.
    /// </param>
    public static List<ReportEntry> Entries(ImagePlan plan, IReadOnlyDictionary<string, FileDigest> digests, Func<GuestFile, ReportElf?> elfOf, Func<string, bool> isGenerated)
    {
        var entries = new List<ReportEntry>();
        foreach (GuestNode node in plan.Walk().Skip(1))
        {
            string? origin = node.Origin?.ToString();
            ReportEntry entry = node switch
            {
                GuestFile file => new ReportEntry
                {
                    Path = file.GuestPath,
                    Kind = "file",
                    Size = file.Size,
                    Sha256 = digests.TryGetValue(file.HostPath, out FileDigest? digest) ? digest.Sha256 : null,
                    HostPath = isGenerated(file.HostPath) ? null : file.HostPath,
                    Origin = origin,
                    AddedBecause = file.Reason,
                    Elf = elfOf(file),
                },
                GuestSymlink link => new ReportEntry { Path = link.GuestPath, Kind = "symlink", Target = link.Target, Origin = origin },
                GuestDirectory directory => new ReportEntry { Path = directory.GuestPath, Kind = "directory", HostPath = directory.HostPath, Origin = origin },
                _ => throw new InvalidOperationException($"The plan contains a node of unknown type {node.GetType().Name}."),
            };
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Converts diagnostics to the report's form.</summary>
    public static List<ReportDiagnostic> Diagnostics(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Select(d => new ReportDiagnostic(
            d.Code,
            d.Severity switch { DiagnosticSeverity.Error => "error", DiagnosticSeverity.Warning => "warning", _ => "info" },
            d.Message,
            d.Location?.ToString(),
            d.Chain)).ToList();
}
