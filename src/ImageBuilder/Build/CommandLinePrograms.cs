namespace Osv.ImageBuilder.Build;

/// <summary>
/// Finds the programs an OSv command line runs. OSv's command parser (core/commands.cc) splits the
/// line into commands at <c>;</c>, <c>&amp;</c> (run in the background) and <c>!</c>, and words at
/// blanks outside double quotes; the loader's options, which start with <c>--</c>, come before the
/// program, whose path is the first other word.
/// </summary>
public static class CommandLinePrograms
{
    /// <summary>Returns the program path of every command of <paramref name="commandLine"/>, in order.</summary>
    /// <param name="commandLine">The command line, for example <c>--env=PORT=80 /app/server.so 80; /tools/x.so</c>.</param>
    public static IReadOnlyList<string> Find(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var programs = new List<string>();
        foreach (string command in commandLine.Split([';', '&', '!'], StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string word in Words(command))
            {
                if (!word.StartsWith("--", StringComparison.Ordinal))
                {
                    programs.Add(word);
                    break;
                }
            }
        }

        return programs;
    }

    // Splits at blanks; double quotes keep blanks inside a word, as OSv's parser does.
    private static IEnumerable<string> Words(string command)
    {
        var word = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in command)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (quoted)
            {
                word.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
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
            yield return word.ToString();
        }
    }
}
