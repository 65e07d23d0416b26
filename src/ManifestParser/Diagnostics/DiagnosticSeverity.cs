namespace Osv.Diagnostics;

/// <summary>How serious a <see cref="Diagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>A fact worth showing that needs no action.</summary>
    Info,

    /// <summary>A likely mistake; the image can still be built.</summary>
    Warning,

    /// <summary>A problem that stops the image from being written.</summary>
    Error,
}
