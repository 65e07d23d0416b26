using System.Text;
using Osv.Diagnostics;

namespace Osv.Manifests.Parse;

/// <summary>
/// The per-line composition step of OSv's scripts/module.py (<c>append_manifest</c>): <c>${NAME}</c>
/// expansion and the literal replacement of <c>%(libgcc_s_dir)s</c>.
/// </summary>
/// <remarks>
/// module.py substitutes with <c>re.sub(r'\${(?P&lt;name&gt;.*)}', ...)</c>. The <c>.*</c> is greedy and
/// runs to the end of the line, so the one match starts at the first <c>${</c> and ends at the last
/// <c>}</c> of the line: <c>${A}/x: ${B}/y</c> looks up a variable named <c>A}/x: ${B</c>.
/// </remarks>
internal static class ModuleComposer
{
    private const string LibgccDirectoryName = "libgcc_s_dir";
    private const string LibgccDirectoryReference = "%(libgcc_s_dir)s";

    /// <summary>
    /// Composes one right-stripped line, or returns null after reporting why OSv would fail on it.
    /// </summary>
    public static string? Compose(string line, ManifestReaderOptions options, ColumnMap map, Func<int, SourceLocation> locate, DiagnosticSink diagnostics)
    {
        string composed = line;
        int open = line.IndexOf("${", StringComparison.Ordinal);
        if (open >= 0)
        {
            int close = line.LastIndexOf('}');
            if (close < open + 2)
            {
                diagnostics.Warning(ManifestCodes.GreedyVariable,
                    "The '${' has no closing '}' after it, so module composition leaves it as text; close the variable as in ${MODULE_DIR}, or remove the '$'.",
                    locate(open));
            }
            else
            {
                string name = line[(open + 2)..close];
                int firstClose = line.IndexOf('}', open + 2);
                if (firstClose != close)
                {
                    string obvious = line[(open + 2)..firstClose];
                    diagnostics.Warning(ManifestCodes.GreedyVariable,
                        $"OSv's module.py matches from the first '${{' to the last '}}' of a line, so it looks up the variable '{Shorten(name)}' rather than '{Shorten(obvious)}'; put at most one ${{...}} on a line and no '}}' after it.",
                        locate(open));
                }

                if (!options.ModuleVariables.TryGetValue(name, out string? value))
                {
                    string known = options.ModuleVariables.Count == 0
                        ? "this manifest is read without module variables"
                        : "the defined ones are " + string.Join(", ", options.ModuleVariables.Keys.Order(StringComparer.Ordinal));
                    diagnostics.Error(ManifestCodes.UndefinedVariable,
                        $"The module variable '{Shorten(name)}' is not defined ({known}); define it or write its value out.",
                        locate(open));
                    return null;
                }

                if (ContainsLineBreak(value))
                {
                    diagnostics.Error(ManifestCodes.LineBreakInValue,
                        $"The value of the module variable '{name}' contains a line break, which would split this manifest line; remove it.",
                        locate(open));
                    return null;
                }

                composed = string.Concat(line.AsSpan(0, open), value, line.AsSpan(close + 1));
                map.BeginPass();
                map.AddReplacement(open, value.Length, open, close + 1);
            }
        }

        // module.py replaces %(libgcc_s_dir)s in the whole composed line when the build defines it.
        if (options.Definitions.TryGetValue(LibgccDirectoryName, out string? libgccDirectory) && libgccDirectory.Length > 0
            && composed.Contains(LibgccDirectoryReference, StringComparison.Ordinal))
        {
            if (ContainsLineBreak(libgccDirectory))
            {
                diagnostics.Error(ManifestCodes.LineBreakInValue,
                    $"The definition '{LibgccDirectoryName}' contains a line break, which would split this manifest line; remove it.",
                    locate(composed.IndexOf(LibgccDirectoryReference, StringComparison.Ordinal)));
                return null;
            }

            composed = ReplaceLibgccDirectory(composed, libgccDirectory, map);
        }

        return composed;
    }

    /// <summary>Shortens a value for a message, so that a megabyte-long line does not become a megabyte-long message.</summary>
    public static string Shorten(string value) => value.Length <= 120 ? value : string.Concat(value.AsSpan(0, 117), "...");

    private static bool ContainsLineBreak(string value) =>
        value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal);

    // Replaces every reference and records each replacement as one pass of the map.
    private static string ReplaceLibgccDirectory(string composed, string value, ColumnMap map)
    {
        var builder = new StringBuilder(composed.Length);
        map.BeginPass();
        int position = 0;
        while (true)
        {
            int found = composed.IndexOf(LibgccDirectoryReference, position, StringComparison.Ordinal);
            if (found < 0)
            {
                builder.Append(composed, position, composed.Length - position);
                break;
            }

            builder.Append(composed, position, found - position);
            map.AddReplacement(builder.Length, value.Length, found, found + LibgccDirectoryReference.Length);
            builder.Append(value);
            position = found + LibgccDirectoryReference.Length;
        }
        return builder.ToString();
    }
}
