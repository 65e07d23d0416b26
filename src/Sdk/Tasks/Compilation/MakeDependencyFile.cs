using System.Text;

namespace Osv.Sdk.Tasks.Compilation;

/// <summary>
/// Reads make-style dependency files: the <c>.d</c> files that gcc writes with <c>-MMD -MF</c>, and the
/// depfile that the image build writes beside the image. Only the prerequisites are returned, because the
/// caller already knows the target.
/// </summary>
/// <remarks>
/// The syntax is the subset that gcc emits: rules <c>target...: prerequisite...</c>, a backslash before
/// the line break to continue a rule, <c>\ </c> for a space and <c>\#</c> for a hash inside a path, and
/// <c>$$</c> for a dollar sign. Empty rules such as the ones <c>-MP</c> adds (<c>header.h:</c>) add nothing.
/// </remarks>
internal static class MakeDependencyFile
{
    /// <summary>Reads the prerequisites of every rule in a dependency file, in order, without duplicates.</summary>
    /// <param name="path">The dependency file.</param>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened.</exception>
    public static IReadOnlyList<string> ReadPrerequisites(string path) => ParsePrerequisites(File.ReadAllText(path));

    /// <summary>Parses the prerequisites of every rule in dependency-file text, in order, without duplicates.</summary>
    /// <param name="text">The content of a dependency file.</param>
    public static IReadOnlyList<string> ParsePrerequisites(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var prerequisites = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string rule in JoinContinuedLines(text))
        {
            bool afterColon = false;
            foreach ((string word, bool isColon) in SplitWords(rule))
            {
                if (isColon)
                {
                    afterColon = true;
                }
                else if (afterColon && seen.Add(word))
                {
                    prerequisites.Add(word);
                }
            }
        }

        return prerequisites;
    }

    // Joins lines that end in a backslash with the next line; each result is one rule.
    private static IEnumerable<string> JoinContinuedLines(string text)
    {
        var rule = new StringBuilder();
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            if (line.EndsWith('\\') && !line.EndsWith(@"\\", StringComparison.Ordinal))
            {
                rule.Append(line, 0, line.Length - 1).Append(' ');
                continue;
            }

            rule.Append(line);
            yield return rule.ToString();
            rule.Clear();
        }

        if (rule.Length > 0)
        {
            yield return rule.ToString();
        }
    }

    // Splits one rule into words and the rule's separating colon, undoing make's escapes. A colon is
    // the separator only when a blank or the end of the line follows it, so "C:" style names never
    // occur in practice but "a:b" inside a word stays one word.
    private static IEnumerable<(string Word, bool IsColon)> SplitWords(string rule)
    {
        var word = new StringBuilder();
        for (int i = 0; i < rule.Length; i++)
        {
            char c = rule[i];
            bool hasNext = i + 1 < rule.Length;
            if (c == '\\' && hasNext && (rule[i + 1] == ' ' || rule[i + 1] == '#' || rule[i + 1] == '\\'))
            {
                word.Append(rule[i + 1]);
                i++;
            }
            else if (c == '$' && hasNext && rule[i + 1] == '$')
            {
                word.Append('$');
                i++;
            }
            else if (c == ':' && (!hasNext || char.IsWhiteSpace(rule[i + 1])))
            {
                if (word.Length > 0)
                {
                    yield return (word.ToString(), false);
                    word.Clear();
                }

                yield return (":", true);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (word.Length > 0)
                {
                    yield return (word.ToString(), false);
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            yield return (word.ToString(), false);
        }
    }
}
