using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Osv.Diagnostics;
using Osv.Sdk.Tasks.Image;

namespace Osv.Sdk.Tasks.Diagnostics;

/// <summary>
/// Logs the toolchain's diagnostics as MSBuild errors, warnings and messages with their OSVxxxx code, file,
/// line and column. A diagnostic located in a file the SDK wrote (the generated osv.yaml, the linked file) is
/// moved to the MSBuild project file, where the user can fix it. One in the generated osv.yaml also names
/// the property or item that the generated line came from.
/// </summary>
internal sealed class DiagnosticLogger
{
    private readonly TaskLoggingHelper _log;
    private readonly string _projectFile;
    private readonly string? _generatedProjectFile;
    private readonly HashSet<string> _outputFiles;
    private IReadOnlyDictionary<int, string>? _origins;
    private ProjectFileLocator? _locator;

    /// <summary>Creates a logger.</summary>
    /// <param name="log">The task's logging helper.</param>
    /// <param name="projectFile">The MSBuild project file, for diagnostics without a location.</param>
    /// <param name="generatedProjectFile">The generated osv.yaml whose locations are mapped, or null.</param>
    /// <param name="outputFiles">Other files the build wrote, such as the linked file, whose locations move to the project file.</param>
    public DiagnosticLogger(TaskLoggingHelper log, string projectFile, string? generatedProjectFile = null, IEnumerable<string>? outputFiles = null)
    {
        _log = log;
        _projectFile = projectFile;
        _generatedProjectFile = generatedProjectFile is null ? null : Path.GetFullPath(generatedProjectFile);
        _outputFiles = new HashSet<string>((outputFiles ?? []).Where(f => f.Length > 0).Select(SafeFullPath), StringComparer.Ordinal);
    }

    /// <summary>Logs every diagnostic, in order.</summary>
    public void LogAll(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (Diagnostic diagnostic in diagnostics)
        {
            Log(diagnostic);
        }
    }

    /// <summary>Logs one diagnostic with its severity.</summary>
    public void Log(Diagnostic diagnostic)
    {
        (string file, int line, int column, string message) = Place(diagnostic);
        if (diagnostic.Chain.Count > 0)
        {
            message += $" (via {string.Join(" -> ", diagnostic.Chain)})";
        }

        switch (diagnostic.Severity)
        {
            case DiagnosticSeverity.Error:
                _log.LogError(null, diagnostic.Code, null, file, line, column, 0, 0, message);
                break;
            case DiagnosticSeverity.Warning:
                _log.LogWarning(null, diagnostic.Code, null, file, line, column, 0, 0, message);
                break;
            default:
                _log.LogMessage(null, diagnostic.Code, null, file, line, column, 0, 0, MessageImportance.Normal, message);
                break;
        }
    }

    // Chooses the file and line the diagnostic is shown at.
    private (string File, int Line, int Column, string Message) Place(Diagnostic diagnostic)
    {
        if (diagnostic.Location is not { } location || string.IsNullOrEmpty(location.File))
        {
            return (_projectFile, 0, 0, diagnostic.Message);
        }

        string fullPath = SafeFullPath(location.File);
        if (_outputFiles.Contains(fullPath))
        {
            // The message names the file, and an IDE would open a binary at its location. What the linked
            // file needs at load time comes from the libraries it was linked with, so point at those.
            (int line, int column) = Locator.Find("OsvLibraries");
            return (_projectFile, line, column, diagnostic.Message);
        }

        if (_generatedProjectFile is null || !string.Equals(fullPath, _generatedProjectFile, StringComparison.Ordinal))
        {
            return (location.File, location.Line, location.Column, diagnostic.Message);
        }

        // MSBuild does not tell a task where a property or item was set, so the finding points at the
        // element of the project file that the generated line came from, when the project file has one.
        _origins ??= ReadOrigins();
        if (!_origins.TryGetValue(location.Line, out string? origin))
        {
            return (_projectFile, 0, 0, diagnostic.Message);
        }

        (int originLine, int originColumn) = FindOrigin(origin);
        return (_projectFile, originLine, originColumn, $"{diagnostic.Message} (set by {origin})");
    }

    private ProjectFileLocator Locator => _locator ??= new ProjectFileLocator(_projectFile);

    // Origins read "OsvFileSystem", "OsvFile 'data/a.txt'" or "OsvLinkGuestPath (the linked file)".
    private (int Line, int Column) FindOrigin(string origin)
    {
        int space = origin.IndexOf(' ', StringComparison.Ordinal);
        string name = space < 0 ? origin : origin[..space];
        int quote = origin.IndexOf('\'', StringComparison.Ordinal);
        int closing = quote < 0 ? -1 : origin.IndexOf('\'', quote + 1);
        string? include = closing > quote ? origin[(quote + 1)..closing] : null;
        return Locator.Find(name, include);
    }

    private IReadOnlyDictionary<int, string> ReadOrigins()
    {
        try
        {
            return GeneratedProjectFile.ReadOrigins(File.ReadAllText(_generatedProjectFile!));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<int, string>();
        }
    }

    private static string SafeFullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }
}
