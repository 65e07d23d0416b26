using System.Xml;
using System.Xml.Linq;

namespace Osv.Sdk.Tasks.Diagnostics;

/// <summary>
/// Finds the line where the project file sets a property or adds an item, because MSBuild does not tell a
/// task where its inputs were defined. Only the project file itself is read, not the files it imports.
/// </summary>
internal sealed class ProjectFileLocator
{
    private readonly XDocument? _document;

    /// <summary>Reads the project file; an unreadable file makes every lookup return no line.</summary>
    /// <param name="projectFile">The MSBuild project file.</param>
    public ProjectFileLocator(string projectFile)
    {
        try
        {
            _document = XDocument.Load(projectFile, LoadOptions.SetLineInfo);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or XmlException)
        {
            _document = null;
        }
    }

    /// <summary>
    /// Returns the line and column of the last element named <paramref name="name"/> (the definition MSBuild
    /// uses when there are several), or of the item whose <c>Include</c> is <paramref name="include"/>;
    /// (0, 0) when there is none, for example when the value came from the command line.
    /// </summary>
    /// <param name="name">A property or item type, for example <c>OsvFileSystem</c> or <c>OsvFile</c>.</param>
    /// <param name="include">For an item, its <c>Include</c> as the task received it; null for a property.</param>
    public (int Line, int Column) Find(string name, string? include = null)
    {
        if (_document?.Root is null)
        {
            return (0, 0);
        }

        XElement? match = _document.Root.Descendants()
            .Where(e => e.Name.LocalName == name)
            .Where(e => include is null || IncludeMatches(e, include))
            .LastOrDefault();
        return match is IXmlLineInfo info && info.HasLineInfo() ? (info.LineNumber, info.LinePosition) : (0, 0);
    }

    // An item written with a wildcard or a property reaches the task expanded, so an exact match is not
    // required: an Include that lists the file's name also counts.
    private static bool IncludeMatches(XElement element, string include)
    {
        string? written = element.Attribute("Include")?.Value;
        if (written is null)
        {
            return false;
        }

        if (string.Equals(written, include, StringComparison.Ordinal))
        {
            return true;
        }

        return written.Split(';').Any(part => part.Contains('*', StringComparison.Ordinal) || part.Contains("$(", StringComparison.Ordinal)
            || string.Equals(Path.GetFileName(part.Trim()), Path.GetFileName(include), StringComparison.Ordinal));
    }
}
