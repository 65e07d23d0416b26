using Osv.Diagnostics;
using Osv.ImageBuilder.Build.Reports;

namespace Osv.ImageBuilder.Build;

/// <summary>The outcome of <see cref="ImageBuild.Run"/>.</summary>
public sealed record ImageBuildResult
{
    /// <summary>Gets every diagnostic of every stage, in order.</summary>
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }

    /// <summary>Gets whether the build succeeded: no error diagnostic and, unless checking, an image on disk.</summary>
    public bool Succeeded => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>Gets the image file written, or null for a check or a failed build.</summary>
    public string? ImagePath { get; init; }

    /// <summary>Gets the JSON report file written, or null when none was.</summary>
    public string? ReportPath { get; init; }

    /// <summary>Gets the SPDX SBOM file written, or null when none was.</summary>
    public string? SbomPath { get; init; }

    /// <summary>Gets the make-style dependency file written, or null when none was.</summary>
    public string? DependencyFilePath { get; init; }

    /// <summary>Gets the report, which is also built for checks and for builds that failed after expansion.</summary>
    public BuildReport? Report { get; init; }

    /// <summary>Gets the number of regular files in the image.</summary>
    public int FileCount { get; init; }

    /// <summary>Gets the sum of the sizes of the regular files in bytes.</summary>
    public long ContentBytes { get; init; }

    /// <summary>Gets the size of the image file in bytes, or 0 when none was written.</summary>
    public long ImageSize { get; init; }

    /// <summary>Gets the time the whole build took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the time each stage took, in the order the stages ran.</summary>
    public IReadOnlyList<(BuildStage Stage, TimeSpan Elapsed)> StageTimes { get; init; } = [];
}
