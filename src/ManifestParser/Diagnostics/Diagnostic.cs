namespace Osv.Diagnostics;

/// <summary>
/// One finding of the toolchain: a stable code (for example <c>OSV0001</c>), a severity, a message that
/// says what to do, and where it applies. Libraries return diagnostics; only front ends print them.
/// </summary>
/// <remarks>
/// Code ranges: OSV0xxx manifests, OSV1xxx osv.yaml projects, OSV2xxx ELF analysis, OSV3xxx filesystem
/// writers and readers, OSV4xxx disk layout and containers, OSV5xxx kernel bundles, OSV6xxx the
/// command-line tool, OSV7xxx the MSBuild SDK.
/// </remarks>
/// <param name="Code">The stable diagnostic code.</param>
/// <param name="Severity">Whether the finding is an error, a warning or information.</param>
/// <param name="Message">A full sentence with the offending value and the fix.</param>
/// <param name="Location">The file, line and column it applies to, when there is one.</param>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message, SourceLocation? Location = null)
{
    /// <summary>
    /// The chain of objects or entries that led to the finding, outermost first, for example the program
    /// and each library whose DT_NEEDED pulled in the next one. Empty when there is no chain.
    /// </summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    /// <summary>Formats the diagnostic the way compilers do: <c>file:line:col: error OSV0001: message</c>.</summary>
    public override string ToString()
    {
        string severity = Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };
        string prefix = Location is { } location ? $"{location}: " : string.Empty;
        string chain = Chain.Count == 0 ? string.Empty : $" (via {string.Join(" -> ", Chain)})";
        return $"{prefix}{severity} {Code}: {Message}{chain}";
    }
}
