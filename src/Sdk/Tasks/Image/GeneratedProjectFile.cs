using System.Globalization;
using System.Text;

namespace Osv.Sdk.Tasks.Image;

/// <summary>
/// Writes the osv.yaml that stands for an MSBuild project, and reads back which MSBuild property or item
/// each of its lines came from. Every value line ends with <c># msbuild: ORIGIN</c>, so a finding that the
/// image build reports at a line of the generated file can name the property or item the user wrote.
/// </summary>
/// <remarks>
/// Scalars are written double-quoted with YAML escapes, so no value can change the document's structure.
/// The file is an implementation detail of the SDK: its keys follow osv.yaml (docs/osv-yaml.md).
/// </remarks>
internal sealed class GeneratedProjectFile
{
    /// <summary>The marker before the origin at the end of a line.</summary>
    public const string OriginMarker = " # msbuild: ";

    private readonly StringBuilder _text = new();

    /// <summary>Creates a document that starts with a header comment naming the MSBuild project.</summary>
    /// <param name="msbuildProject">The project file the document stands for.</param>
    public GeneratedProjectFile(string msbuildProject)
    {
        _text.Append("# Written by the Osv.Sdk from ").Append(msbuildProject).Append('\n');
        _text.Append("# on every build; edit the project file, not this one.\n");
    }

    /// <summary>Gets the document text.</summary>
    public string Text => _text.ToString();

    /// <summary>Adds <c>key: "value"</c> at an indentation level (two spaces a level).</summary>
    public void Scalar(int level, string key, string value, string origin) =>
        Line(level, $"{Quote(key)}: {Quote(value)}", origin);

    /// <summary>Adds <c>key: true</c> or <c>key: false</c>.</summary>
    public void Boolean(int level, string key, bool value, string origin) =>
        Line(level, $"{Quote(key)}: {(value ? "true" : "false")}", origin);

    /// <summary>Adds <c>key:</c>, which opens a mapping or a list at the next level.</summary>
    public void Key(int level, string key) => Line(level, Quote(key) + ":", origin: null);

    /// <summary>Adds the list item <c>- "value"</c>.</summary>
    public void Item(int level, string value, string origin) => Line(level, "- " + Quote(value), origin);

    /// <summary>Adds a list item that is a mapping, opening with its first key: <c>- key: "value"</c>.</summary>
    public void ItemScalar(int level, string key, string value, string origin) =>
        Line(level, $"- {Quote(key)}: {Quote(value)}", origin);

    /// <summary>
    /// Reads the origin of every value line of a generated file.
    /// </summary>
    /// <param name="text">The text of the generated file.</param>
    /// <returns>The origin of each 1-based line number that has one.</returns>
    public static IReadOnlyDictionary<int, string> ReadOrigins(string text)
    {
        var origins = new Dictionary<int, string>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int marker = lines[i].LastIndexOf(OriginMarker, StringComparison.Ordinal);
            if (marker >= 0)
            {
                origins[i + 1] = lines[i][(marker + OriginMarker.Length)..].TrimEnd('\r');
            }
        }

        return origins;
    }

    /// <summary>Quotes a string as a YAML double-quoted scalar.</summary>
    /// <param name="value">Any string.</param>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2);
        quoted.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                case '\t':
                    quoted.Append("\\t");
                    break;
                case '\r':
                    quoted.Append("\\r");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        quoted.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        quoted.Append(c);
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    private void Line(int level, string content, string? origin)
    {
        _text.Append(' ', level * 2).Append(content);
        if (origin is not null)
        {
            // The origin comes from item specs, which may hold any character but a line break.
            _text.Append(OriginMarker).Append(origin.ReplaceLineEndings(" "));
        }

        _text.Append('\n');
    }
}
