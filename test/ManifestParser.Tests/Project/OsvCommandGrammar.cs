using System.Text;

namespace Osv.ManifestParser.Tests.Project;

/// <summary>
/// An independent reading of the word grammar of OSv's core/commands.cc, used only to check that quoted
/// words read back unchanged. A word is a double-quoted string with C escapes, or a run of characters
/// other than space, ';', '&amp;' and '!', in which the same escapes are also unescaped.
/// </summary>
internal static class OsvCommandGrammar
{
    private static readonly (string Escape, char Value)[] s_escapes =
    [
        ("\\a", '\a'), ("\\b", '\b'), ("\\f", '\f'), ("\\n", '\n'), ("\\r", '\r'), ("\\t", '\t'), ("\\v", '\v'),
        ("\\\\", '\\'), ("\\'", '\''), ("\\\"", '"'),
    ];

    /// <summary>Parses one command (no ';' or '&amp;' separators) into its words.</summary>
    public static List<string> Parse(string line)
    {
        var words = new List<string>();
        int i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length)
            {
                return words;
            }

            var word = new StringBuilder();
            if (line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"Unterminated quoted string in {line}");
                    }

                    if (TryEscape(line, ref i, word))
                    {
                        continue;
                    }

                    if (line[i] == '"')
                    {
                        i++;
                        break;
                    }

                    word.Append(line[i++]);
                }
            }
            else
            {
                while (i < line.Length && line[i] is not (' ' or ';' or '&' or '!'))
                {
                    if (!TryEscape(line, ref i, word))
                    {
                        word.Append(line[i++]);
                    }
                }
            }

            words.Add(word.ToString());
        }
    }

    private static bool TryEscape(string line, ref int i, StringBuilder word)
    {
        foreach ((string escape, char value) in s_escapes)
        {
            if (string.CompareOrdinal(line, i, escape, 0, escape.Length) == 0)
            {
                word.Append(value);
                i += escape.Length;
                return true;
            }
        }

        return false;
    }
}
