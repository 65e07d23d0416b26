using System.Text;
using Osv.Diagnostics;

namespace Osv.Manifests.Project;

/// <summary>
/// Formats a <see cref="ProjectCommand"/> as the command line OSv's kernel parses (core/commands.cc).
/// </summary>
/// <remarks>
/// OSv parses the line in two parts. Leading tokens that start with <c>-</c> are kernel options, split at
/// blanks (space, tab, newline); a backslash makes the next character literal and is removed, and several
/// backslashes in a row are all removed, so an option cannot contain a backslash. The rest is the program
/// and its arguments, parsed by a Boost.Spirit grammar: a word is a double-quoted string, in which
/// <c>\"</c>, <c>\\</c>, <c>\n</c> and the other C escapes are unescaped, or a run of characters without
/// space, <c>;</c>, <c>&amp;</c> or <c>!</c>. The grammar's character class is ASCII, so a non-ASCII
/// byte ends the parse. OSv then replaces everything after the first <c>$</c> of each word with the
/// value of the environment variable of that name.
/// </remarks>
public static class OsvCommandLine
{
    private const string LoaderBlanks = " \t\n";
    private const string WordBreakers = " ;&!\"\\";

    /// <summary>Formats <paramref name="command"/>; returns null after reporting a value OSv cannot carry.</summary>
    /// <param name="command">The command.</param>
    /// <param name="diagnostics">Receives OSV1011 and OSV1013 errors and OSV1012 notes.</param>
    /// <returns>The command line, for example <c>--env=PORT=8080 --cwd=/app /app/server.so "a b"</c>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string? Format(ProjectCommand command, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(diagnostics);

        SourceLocation location = command.Location;
        var words = new List<string>();
        bool valid = true;

        foreach (string option in command.KernelOptions)
        {
            if (!option.StartsWith("--", StringComparison.Ordinal) || option.Length == 2)
            {
                diagnostics.Error(ProjectCodes.InvalidOption,
                    $"The kernel option '{option}' does not start with '--' followed by a name, and OSv rejects it as \"not an option\"; write it as --name or --name=value.",
                    location);
                valid = false;
                continue;
            }

            valid &= TryAddLoaderOption(option, "kernel option", location, words, diagnostics);
        }

        foreach ((string name, string value) in command.Environment)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
            {
                diagnostics.Error(ProjectCodes.InvalidOption,
                    $"The environment variable name '{name}' is empty or contains '='; use a name such as PORT.",
                    location);
                valid = false;
                continue;
            }

            valid &= TryAddLoaderOption($"--env={name}={value}", $"environment variable {name}", location, words, diagnostics);
        }

        if (command.WorkingDirectory is { } directory)
        {
            valid &= TryAddLoaderOption("--cwd=" + directory, "working directory", location, words, diagnostics);
        }

        if (command.Program.StartsWith('-'))
        {
            diagnostics.Error(ProjectCodes.UnrepresentableCommandLine,
                $"The program '{command.Program}' starts with '-', so OSv would take it for a kernel option; give the program's guest path.",
                location);
            valid = false;
        }

        valid &= TryAddWord(command.Program, "program", location, words, diagnostics);
        foreach (string argument in command.Arguments)
        {
            valid &= TryAddWord(argument, "argument", location, words, diagnostics);
        }

        return valid ? string.Join(' ', words) : null;
    }

    /// <summary>Quotes one program word so that OSv's command grammar reads it back unchanged, or returns null when it cannot.</summary>
    /// <param name="word">The program path or argument.</param>
    /// <returns>The word as is when it needs no quoting, else a double-quoted string with C escapes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="word"/> is null.</exception>
    public static string? QuoteWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (!IsAscii(word) || word.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        bool plain = word.Length > 0 && !word.Any(c => WordBreakers.Contains(c, StringComparison.Ordinal) || char.IsControl(c));
        if (plain)
        {
            return word;
        }

        var builder = new StringBuilder(word.Length + 2);
        builder.Append('"');
        foreach (char c in word)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\a' => "\\a",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\v' => "\\v",
                _ => c.ToString(),
            });
        }

        builder.Append('"');
        return builder.ToString();
    }

    private static bool TryAddWord(string word, string what, SourceLocation location, List<string> words, DiagnosticBag diagnostics)
    {
        string? quoted = QuoteWord(word);
        if (quoted is null)
        {
            diagnostics.Error(ProjectCodes.UnrepresentableCommandLine,
                $"The {what} '{word.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL or a non-ASCII character, which OSv's command-line parser rejects; use ASCII text, or pass the value through an environment variable.",
                location);
            return false;
        }

        int dollar = word.IndexOf('$', StringComparison.Ordinal);
        if (dollar >= 0)
        {
            diagnostics.Info(ProjectCodes.EnvironmentReference,
                $"OSv replaces the text after '$' in the {what} '{word}' with the environment variable '{word[(dollar + 1)..]}' (empty when it is not set); a literal '$' cannot be passed.",
                location);
        }

        words.Add(quoted);
        return true;
    }

    // Escapes blanks with a backslash, the only quoting OSv's loader_parse_cmdline supports.
    private static bool TryAddLoaderOption(string option, string what, SourceLocation location, List<string> words, DiagnosticBag diagnostics)
    {
        if (option.Contains('\\', StringComparison.Ordinal) || option.Contains('\0', StringComparison.Ordinal))
        {
            diagnostics.Error(ProjectCodes.UnrepresentableCommandLine,
                $"The {what} '{option.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a backslash or NUL, which OSv's kernel option parser removes; remove it from the value.",
                location);
            return false;
        }

        var builder = new StringBuilder(option.Length);
        foreach (char c in option)
        {
            if (LoaderBlanks.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        words.Add(builder.ToString());
        return true;
    }

    private static bool IsAscii(string text)
    {
        foreach (char c in text)
        {
            if (c > 0x7f)
            {
                return false;
            }
        }

        return true;
    }
}
