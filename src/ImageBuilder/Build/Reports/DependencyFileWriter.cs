using System.Text;

namespace Osv.ImageBuilder.Build.Reports;

/// <summary>
/// Writes a make-style dependency file, <c>IMAGE: INPUT...</c>, that names every host file and
/// folder the image was built from, so that make, ninja or an MSBuild target can skip a build whose
/// inputs did not change. Folders are listed because adding a file to a copied tree changes the
/// folder's modification time.
/// </summary>
public static class DependencyFileWriter
{
    /// <summary>Writes the rule for <paramref name="target"/> to <paramref name="writer"/>.</summary>
    /// <param name="target">The image file.</param>
    /// <param name="inputs">The host inputs; duplicates are written once, in first-seen order.</param>
    /// <param name="writer">The destination; the text ends with a newline.</param>
    public static void Write(string target, IEnumerable<string> inputs, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(writer);

        writer.Write(Escape(target));
        writer.Write(':');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in inputs)
        {
            if (seen.Add(input))
            {
                writer.Write(" \\\n  ");
                writer.Write(Escape(input));
            }
        }

        writer.Write('\n');
    }

    // GNU make reads '\ ' as a space in a file name, '$$' as '$' and '\#' as '#'.
    internal static string Escape(string path)
    {
        var escaped = new StringBuilder(path.Length);
        foreach (char c in path)
        {
            switch (c)
            {
                case ' ':
                    escaped.Append("\\ ");
                    break;
                case '#':
                    escaped.Append("\\#");
                    break;
                case '$':
                    escaped.Append("$$");
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }
}
