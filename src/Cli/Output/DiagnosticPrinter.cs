using Osv.Diagnostics;

namespace Osv.Cli.Output;

/// <summary>Prints diagnostics the way compilers do, grouped by severity: errors, then warnings, then information.</summary>
internal static class DiagnosticPrinter
{
    /// <summary>Writes every diagnostic of <paramref name="diagnostics"/> in groups, each group in reporting order.</summary>
    /// <returns>The number of errors and warnings written.</returns>
    public static (int Errors, int Warnings) Print(IEnumerable<Diagnostic> diagnostics, TextWriter writer, bool includeInfo = true)
    {
        List<Diagnostic> all = diagnostics.ToList();
        int errors = 0;
        int warnings = 0;
        foreach (DiagnosticSeverity severity in new[] { DiagnosticSeverity.Error, DiagnosticSeverity.Warning, DiagnosticSeverity.Info })
        {
            if (severity == DiagnosticSeverity.Info && !includeInfo)
            {
                continue;
            }

            foreach (Diagnostic diagnostic in all.Where(d => d.Severity == severity))
            {
                writer.WriteLine(diagnostic.ToString());
                errors += severity == DiagnosticSeverity.Error ? 1 : 0;
                warnings += severity == DiagnosticSeverity.Warning ? 1 : 0;
            }
        }

        return (errors, warnings);
    }

    /// <summary>Formats counts as "2 errors, 1 warning".</summary>
    public static string Counts(int errors, int warnings) =>
        $"{Plural(errors, "error")}, {Plural(warnings, "warning")}";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
