using Osv.Diagnostics;

namespace Osv.Manifests.Parse;

/// <summary>
/// Adds the diagnostics of one manifest file to a bag, up to a limit, so that a binary or generated
/// file cannot flood the output. Errors past the limit still count, so the caller knows the file failed.
/// </summary>
internal sealed class DiagnosticSink
{
    /// <summary>The number of diagnostics one file may add before the rest are summarised.</summary>
    public const int MaxPerFile = 200;

    private readonly DiagnosticBag _bag;
    private readonly string _file;
    private int _added;
    private int _suppressed;

    public DiagnosticSink(DiagnosticBag bag, string file)
    {
        _bag = bag;
        _file = file;
    }

    /// <summary>Gets whether an error was reported, including suppressed ones.</summary>
    public bool HasErrors { get; private set; }

    public void Error(string code, string message, SourceLocation location) => Add(code, DiagnosticSeverity.Error, message, location);

    public void Warning(string code, string message, SourceLocation location) => Add(code, DiagnosticSeverity.Warning, message, location);

    public void Info(string code, string message, SourceLocation location) => Add(code, DiagnosticSeverity.Info, message, location);

    public void Add(string code, DiagnosticSeverity severity, string message, SourceLocation location)
    {
        HasErrors |= severity == DiagnosticSeverity.Error;
        if (_added >= MaxPerFile)
        {
            _suppressed++;
            return;
        }

        _added++;
        _bag.Add(new Diagnostic(code, severity, message, location));
    }

    /// <summary>Reports how many diagnostics were left out, once the file is done.</summary>
    public void Complete()
    {
        if (_suppressed > 0)
        {
            _bag.Add(new Diagnostic(ManifestCodes.TooManyDiagnostics, DiagnosticSeverity.Info,
                $"{_suppressed} more diagnostics of this file were left out after the first {MaxPerFile}; fix those and read the file again.",
                new SourceLocation(_file)));
        }
    }
}
