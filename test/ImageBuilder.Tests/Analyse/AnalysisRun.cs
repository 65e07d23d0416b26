using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Analyse;

/// <summary>One call of <see cref="ElfAnalyzer.Analyze"/> over a plan built from host files, with its findings.</summary>
internal sealed class AnalysisRun
{
    public ImagePlan Plan { get; } = new();

    public DiagnosticBag Diagnostics { get; } = new();

    public ElfAnalysisResult? Result { get; private set; }

    /// <summary>Adds a host file at a guest path, as a manifest line would.</summary>
    public AnalysisRun Add(string guestPath, string hostPath)
    {
        Plan.AddFile(guestPath, hostPath, new FileInfo(hostPath).Length, new SourceLocation("usr.manifest", Plan.Entries.Count + 1));
        return this;
    }

    /// <summary>Runs the analysis; by default nothing is added from the host, so tests see the plan as given.</summary>
    public AnalysisRun Analyze(IReadOnlyList<string> programs, KernelProfile? profile = null, ElfAnalysisOptions? options = null)
    {
        Result = ElfAnalyzer.Analyze(Plan, programs, profile ?? ElfSamples.CurrentKernel(), options ?? new ElfAnalysisOptions { AddMissingLibraries = false }, Diagnostics);
        return this;
    }

    /// <summary>Returns the findings with <paramref name="code"/>.</summary>
    public Diagnostic[] WithCode(string code) => Diagnostics.Where(d => d.Code == code).ToArray();

    /// <summary>Returns every finding as text, for assertion messages.</summary>
    public string Dump() => string.Join('\n', Diagnostics.Select(d => d.ToString()));
}
