using System.Globalization;
using System.Text.RegularExpressions;

namespace Osv.Sdk.Tasks.Diagnostics;

/// <summary>
/// Splits the lines that gcc, g++ and GNU ld print into <see cref="GccMessage"/> records. It expects
/// <c>-fdiagnostics-plain-output</c> (gcc 10 and later), which turns off colours, source excerpts and
/// caret lines, so each diagnostic is one line: <c>file:line:column: error: message [-Woption]</c>.
/// </summary>
internal static partial class GccOutputParser
{
    /// <summary>Parses one output line. Lines of no known shape come back as <see cref="GccMessageKind.Other"/>.</summary>
    /// <param name="line">The line, without its line terminator.</param>
    public static GccMessage Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);

        // file:line[:column]: kind: message [option]
        Match match = LocatedDiagnostic().Match(line);
        if (match.Success)
        {
            (string text, string? option) = SplitOption(match.Groups["message"].Value);
            return new GccMessage(
                ParseKind(match.Groups["kind"].Value),
                text,
                match.Groups["file"].Value,
                ParseNumber(match.Groups["line"]),
                ParseNumber(match.Groups["column"]),
                option);
        }

        // ld: "main.c:12: undefined reference to `f'" (with debug information) or
        // "main.c:(.text+0x1a): undefined reference to `f'" (without).
        match = LinkerLocatedMessage().Match(line);
        if (match.Success)
        {
            string text = match.Groups["message"].Value;
            GccMessageKind kind = text.StartsWith("warning: ", StringComparison.Ordinal) ? GccMessageKind.Warning : GccMessageKind.Error;
            return new GccMessage(kind, StripKind(text), match.Groups["file"].Value, ParseNumber(match.Groups["line"]), 0, FromLinker: true);
        }

        // "main.c: In function 'main':" and "In file included from a.h:3,"
        if (FunctionContext().IsMatch(line) || line.StartsWith("In file included from ", StringComparison.Ordinal) ||
            IncludeContinuation().IsMatch(line))
        {
            return new GccMessage(GccMessageKind.Context, line.Trim());
        }

        // "/usr/bin/ld: cannot find -lfoo: No such file or directory", "/usr/bin/ld: warning: ..."
        match = LinkerMessage().Match(line);
        if (match.Success)
        {
            return ParseLinkerMessage(match.Groups["message"].Value);
        }

        // "gcc: error: x.c: No such file or directory", "cc1: warning: ...", "collect2: error: ld returned 1 exit status"
        match = ToolDiagnostic().Match(line);
        if (match.Success)
        {
            string tool = match.Groups["tool"].Value;
            (string text, string? option) = SplitOption(match.Groups["message"].Value);
            if (tool == "collect2" && text.StartsWith("ld returned", StringComparison.Ordinal))
            {
                return new GccMessage(GccMessageKind.Summary, text, FromLinker: true);
            }

            return new GccMessage(ParseKind(match.Groups["kind"].Value), text, Option: option, FromLinker: tool == "collect2");
        }

        if (line == "compilation terminated." || line.EndsWith("warnings being treated as errors", StringComparison.Ordinal))
        {
            return new GccMessage(GccMessageKind.Summary, line);
        }

        return new GccMessage(GccMessageKind.Other, line);
    }

    // A message printed by ld itself: an "in function" context line, a warning, or an error.
    private static GccMessage ParseLinkerMessage(string message)
    {
        if (message.EndsWith("':", StringComparison.Ordinal) && message.Contains(": in function ", StringComparison.Ordinal))
        {
            return new GccMessage(GccMessageKind.Context, message, FromLinker: true);
        }

        if (message.StartsWith("warning: ", StringComparison.Ordinal))
        {
            return new GccMessage(GccMessageKind.Warning, StripKind(message), FromLinker: true);
        }

        // ld prints most failures without a kind ("cannot find -lfoo: ..."); binutils 2.40 and later
        // prefix some of them with "error: ".
        return new GccMessage(GccMessageKind.Error, StripKind(message), FromLinker: true);
    }

    private static GccMessageKind ParseKind(string kind) => kind switch
    {
        "error" or "fatal error" => GccMessageKind.Error,
        "warning" => GccMessageKind.Warning,
        _ => GccMessageKind.Note,
    };

    private static string StripKind(string message)
    {
        foreach (string prefix in (ReadOnlySpan<string>)["warning: ", "error: "])
        {
            if (message.StartsWith(prefix, StringComparison.Ordinal))
            {
                return message[prefix.Length..];
            }
        }

        return message;
    }

    // gcc ends a diagnostic that an option controls with " [-Wname]" or " [-Werror=name]".
    private static (string Text, string? Option) SplitOption(string message)
    {
        Match match = TrailingOption().Match(message);
        return match.Success ? (message[..match.Index], match.Groups["option"].Value) : (message, null);
    }

    private static int ParseNumber(Group group) =>
        group.Success && int.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : 0;

    [GeneratedRegex(@"^(?<file>[^:\s][^:]*):(?<line>\d+):(?:(?<column>\d+):)? (?<kind>fatal error|error|warning|note): (?<message>.*)$")]
    private static partial Regex LocatedDiagnostic();

    [GeneratedRegex(@"^(?<file>[^:\s][^:]*):(?:(?<line>\d+)|\([^)]*\)): (?<message>(?:warning: )?(?:undefined reference|multiple definition|relocation|first defined|more undefined references).*)$")]
    private static partial Regex LinkerLocatedMessage();

    [GeneratedRegex(@"^[^:\s][^:]*: In (?:function|member function|static member function|constructor|destructor|instantiation of|lambda function|substitution of|'?[a-z ]+'?) .*:$|^[^:\s][^:]*: (?:At top level|At global scope):$")]
    private static partial Regex FunctionContext();

    [GeneratedRegex(@"^\s+from [^:]+:\d+[,:]$")]
    private static partial Regex IncludeContinuation();

    [GeneratedRegex(@"^(?:\S*/)?ld(?:\.bfd|\.gold|\.lld)?: (?<message>.*)$")]
    private static partial Regex LinkerMessage();

    [GeneratedRegex(@"^(?<tool>[\w.+-]+): (?<kind>fatal error|error|warning|note): (?<message>.*)$")]
    private static partial Regex ToolDiagnostic();

    [GeneratedRegex(@" \[(?<option>-W[^\]\s]+)\]$")]
    private static partial Regex TrailingOption();
}
