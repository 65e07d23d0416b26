using System.Text;

namespace Osv.Sdk.Tasks.Image;

/// <summary>Splits the <c>OsvArguments</c> property into arguments the way a POSIX shell splits words.</summary>
internal static class ArgumentSplitter
{
    /// <summary>
    /// Splits text at unquoted blanks. Single quotes keep everything up to the next single quote; double
    /// quotes keep everything up to the next unescaped double quote, where <c>\"</c> and <c>\\</c> are
    /// escapes; outside quotes a backslash keeps the next character.
    /// </summary>
    /// <param name="text">The arguments as one string, for example <c>--port 8080 "hello world"</c>.</param>
    /// <param name="arguments">The arguments, in order.</param>
    /// <returns>False when a quote is not closed.</returns>
    public static bool TrySplit(string text, out List<string> arguments)
    {
        arguments = [];
        var current = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (quote == '"')
            {
                if (c == '"')
                {
                    quote = '\0';
                }
                else if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                {
                    current.Append(text[++i]);
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    arguments.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                inWord = true;
                if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == '\\' && i + 1 < text.Length)
                {
                    current.Append(text[++i]);
                }
                else
                {
                    current.Append(c);
                }
            }
        }

        if (inWord)
        {
            arguments.Add(current.ToString());
        }

        return quote == '\0';
    }
}
