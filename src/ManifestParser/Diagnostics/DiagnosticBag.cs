using System.Collections;

namespace Osv.Diagnostics;

/// <summary>An ordered, append-only collection of diagnostics that a stage fills and a front end prints.</summary>
public sealed class DiagnosticBag : IReadOnlyList<Diagnostic>
{
    private readonly List<Diagnostic> _items = [];

    /// <summary>Gets the number of diagnostics collected so far.</summary>
    public int Count => _items.Count;

    /// <summary>Gets whether any diagnostic has <see cref="DiagnosticSeverity.Error"/> severity.</summary>
    public bool HasErrors => _items.Exists(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>Gets the diagnostic at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the collection.</exception>
    public Diagnostic this[int index] => _items[index];

    /// <summary>Appends one diagnostic.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="diagnostic"/> is null.</exception>
    public void Add(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        _items.Add(diagnostic);
    }

    /// <summary>Appends every diagnostic of <paramref name="diagnostics"/>, in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="diagnostics"/> is null.</exception>
    public void AddRange(IEnumerable<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            Add(diagnostic);
        }
    }

    /// <summary>Appends an error and returns it.</summary>
    public Diagnostic Error(string code, string message, SourceLocation? location = null)
    {
        var diagnostic = new Diagnostic(code, DiagnosticSeverity.Error, message, location);
        _items.Add(diagnostic);
        return diagnostic;
    }

    /// <summary>Appends a warning and returns it.</summary>
    public Diagnostic Warning(string code, string message, SourceLocation? location = null)
    {
        var diagnostic = new Diagnostic(code, DiagnosticSeverity.Warning, message, location);
        _items.Add(diagnostic);
        return diagnostic;
    }

    /// <summary>Appends an informational diagnostic and returns it.</summary>
    public Diagnostic Info(string code, string message, SourceLocation? location = null)
    {
        var diagnostic = new Diagnostic(code, DiagnosticSeverity.Info, message, location);
        _items.Add(diagnostic);
        return diagnostic;
    }

    /// <inheritdoc/>
    public IEnumerator<Diagnostic> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
