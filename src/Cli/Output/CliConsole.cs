namespace Osv.Cli.Output;

/// <summary>
/// Where the tool writes: results on standard output, findings and progress on standard error, so
/// that <c>--json</c> output can be piped. Rich progress is drawn only on a terminal outside CI.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
    }

    /// <summary>Gets the writer for results.</summary>
    public TextWriter Out { get; }

    /// <summary>Gets the writer for findings, progress and errors.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets whether standard error is a terminal outside CI, where an animated progress display is wanted.</summary>
    public bool Interactive { get; }

    /// <summary>Creates the console for this process: interactive unless standard error is redirected or CI=true.</summary>
    public static CliConsole ForProcess()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        return new CliConsole(Console.Out, Console.Error, interactive: !Console.IsErrorRedirected && !ci);
    }
}
