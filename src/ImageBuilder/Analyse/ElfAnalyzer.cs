using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Checks every ELF file of an image plan against OSv's load rules before the image is written:
/// classifies the files, checks them against the kernel profile, adds the libraries their DT_NEEDED
/// entries name from the host, replays OSv's loader over the finished plan, and checks that every
/// undefined dynamic symbol has a definition. All findings are reported at once.
/// </summary>
public static class ElfAnalyzer
{
    /// <summary>Analyses <paramref name="plan"/> and, when <see cref="ElfAnalysisOptions.AddMissingLibraries"/> is set, adds the missing libraries to it.</summary>
    /// <param name="plan">The image plan; library files are added to it.</param>
    /// <param name="programGuestPaths">The programs of the command line, as guest paths (for example <c>/app/server.so</c>); the simulation starts from them.</param>
    /// <param name="profile">What the kernel accepts and provides.</param>
    /// <param name="options">Search paths and switches.</param>
    /// <param name="diagnostics">Receives every finding (OSV2xxx).</param>
    /// <returns>One record for every ELF file of the plan and the list of files that were added.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ElfAnalysisResult Analyze(ImagePlan plan, IReadOnlyList<string> programGuestPaths, KernelProfile profile, ElfAnalysisOptions options, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(programGuestPaths);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var catalog = new ElfCatalog();
        var programs = new HashSet<string>(StringComparer.Ordinal);
        foreach (string program in programGuestPaths)
        {
            if (GuestPaths.TryNormalize(program, out string normalized, out _))
            {
                programs.Add(normalized);
            }
        }

        // Classify every file and check it against the kernel profile.
        // TODO: the host closure, the guest loader simulation and the symbol check follow.
        var records = new List<ElfObjectRecord>();
        foreach (GuestFile file in plan.Files)
        {
            ElfCatalog.Entry entry = catalog.Get(file.HostPath);
            bool loaded = programs.Contains(file.GuestPath);
            if (entry.Error is { } error)
            {
                diagnostics.Add(loaded ? error : error with { Severity = DiagnosticSeverity.Warning });
                continue;
            }

            if (entry.File is not { } elf)
            {
                continue;
            }

            diagnostics.AddRange(KernelProfileChecks.Check(elf, file.GuestPath, profile, loaded));
            records.Add(new ElfObjectRecord(
                file.GuestPath,
                file.HostPath,
                elf.Kind,
                elf.Soname,
                elf.Needed.Select(n => new NeededResolution(n, null, profile.ProvidedSonames.Contains(n))).ToArray(),
                file.Reason,
                loaded));
        }

        return new ElfAnalysisResult(records, []);
    }
}
