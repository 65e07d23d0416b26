using System.Text.RegularExpressions;

namespace Osv.Sdk.Tests.Infrastructure;

/// <summary>The outcome of one dotnet build (or clean, or run) of a test project.</summary>
/// <param name="Process">The dotnet process's exit code and console output.</param>
/// <param name="Errors">The errors, one each, read from the errors-only file log.</param>
/// <param name="Warnings">The warnings, one each, read from the warnings-only file log.</param>
/// <param name="CompilerRuns">The argument lines the compiler wrappers logged during this build.</param>
internal sealed partial record BuildResult(ProcessResult Process, IReadOnlyList<LoggedDiagnostic> Errors, IReadOnlyList<LoggedDiagnostic> Warnings, IReadOnlyList<string> CompilerRuns)
{
    /// <summary>Gets whether dotnet exited with 0.</summary>
    public bool Succeeded => Process.ExitCode == 0;

    /// <summary>Returns the compiler runs that compiled a source (those with -c), leaving out the link.</summary>
    public IReadOnlyList<string> CompileRuns() => CompilerRuns.Where(run => run.Split(' ').Contains("-c")).ToList();

    /// <summary>Returns the file names of the sources compiled (the last argument of each run with -c), sorted.</summary>
    public IReadOnlyList<string> CompiledSources() =>
        CompileRuns()
            .Select(run => Path.GetFileName(run.Split(' ')[^1]))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Parses the lines of an MSBuild file log written with ErrorsOnly or WarningsOnly.</summary>
    /// <param name="path">The log file; a missing file means no entries.</param>
    public static IReadOnlyList<LoggedDiagnostic> ReadLog(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var entries = new List<LoggedDiagnostic>();
        foreach (string line in File.ReadAllLines(path))
        {
            Match match = LoggedLine().Match(line);
            if (match.Success)
            {
                entries.Add(new LoggedDiagnostic(
                    match.Groups["file"].Value.Trim(),
                    match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
                    match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
                    match.Groups["code"].Value,
                    match.Groups["message"].Value));
            }
        }

        return entries;
    }

    // "FILE(LINE,COL): error CODE: MESSAGE [PROJECT]" or "FILE : error CODE: MESSAGE [PROJECT]"
    [GeneratedRegex(@"^\s*(?:\d+(?::\d+)?>)?(?<file>[^(]+?)(?:\((?<line>\d+)(?:,(?<column>\d+))?(?:-[\d,]+)?\))?\s*: (?:error|warning) (?<code>[^:\s]+): (?<message>.*?)(?: \[[^\]]+\])?$")]
    private static partial Regex LoggedLine();
}

/// <summary>One error or warning that MSBuild logged.</summary>
/// <param name="File">The file it points at.</param>
/// <param name="Line">The line, or 0.</param>
/// <param name="Column">The column, or 0.</param>
/// <param name="Code">The code, for example OSV7001.</param>
/// <param name="Message">The message.</param>
internal sealed record LoggedDiagnostic(string File, int Line, int Column, string Code, string Message);
