using System.Text;

namespace Osv.Sdk.Tasks.Run;

/// <summary>
/// Quotes one argument so that .NET's command-line splitting (the Windows rules, which Process.Start uses on
/// every platform for an argument string) gives it back unchanged: dotnet run passes RunArguments that way.
/// </summary>
internal static class CommandLineQuoting
{
    /// <summary>Returns the argument, quoted when it is empty or contains a blank or a double quote.</summary>
    /// <param name="argument">One argument.</param>
    public static string Quote(string argument)
    {
        if (argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c == '"'))
        {
            return argument;
        }

        // Backslashes are literal unless they precede a double quote; then each one is doubled.
        var quoted = new StringBuilder(argument.Length + 2);
        quoted.Append('"');
        int backslashes = 0;
        foreach (char c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes);
            backslashes = 0;
            quoted.Append(c);
        }

        quoted.Append('\\', backslashes * 2);
        return quoted.Append('"').ToString();
    }
}
