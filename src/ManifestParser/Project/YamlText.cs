using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Osv.Manifests.Project;

/// <summary>
/// Loads YAML text into YamlDotNet's node model and turns every failure into a message and a position,
/// for osv.yaml and for kernel bundle descriptions alike.
/// </summary>
internal static class YamlText
{
    /// <summary>Loads <paramref name="text"/>; on failure returns false with the problem and where it is.</summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="stream">The documents, when the text is well-formed.</param>
    /// <param name="problem">What is wrong, as a sentence, when the text is not well-formed.</param>
    /// <param name="line">The 1-based line of the problem.</param>
    /// <param name="column">The 1-based column of the problem.</param>
    public static bool TryLoad(string text, out YamlStream stream, out string? problem, out int line, out int column)
    {
        stream = new YamlStream();
        var parser = new PositionTrackingParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
            problem = null;
            line = column = 0;
            return true;
        }
        catch (YamlException exception)
        {
            // A scanner error starts at the construct it was scanning (often the top-level mapping at
            // 1:1) and ends where it found the fault, such as a tab used as indentation.
            Mark position = exception.End.Line > exception.Start.Line ? exception.End : exception.Start;
            problem = Sentence(exception.Message);
            line = (int)position.Line;
            column = (int)position.Column;

            // For a tab in the indentation both marks can stay at the mapping's start, so the
            // first such tab after the last event read is the position.
            if (problem.Contains("tab", StringComparison.Ordinal) && FindIndentationTab(text, (int)parser.LastEnd.Line) is (int tabLine, int tabColumn))
            {
                (line, column) = (tabLine, tabColumn);
            }

            const string DuplicateKey = "Duplicate key ";
            if (problem.StartsWith(DuplicateKey, StringComparison.Ordinal))
            {
                problem = $"The key '{problem[DuplicateKey.Length..^1]}' appears twice in the same mapping; keep one.";
            }

            return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some unfinished constructs, for example a flow list
            // '[a, b' that is not closed before the next key. The last event read is the closest position known.
            problem = "The text after this position is not well-formed YAML; look for an unclosed '[', '{' or quote.";
            line = (int)parser.LastEnd.Line;
            column = (int)parser.LastEnd.Column;
            return false;
        }
    }

    // Returns the line and column of the first tab in a line's indentation, from line `fromLine` on.
    private static (int Line, int Column)? FindIndentationTab(string text, int fromLine)
    {
        string[] lines = text.Split('\n');
        for (int i = Math.Max(fromLine, 1) - 1; i < lines.Length; i++)
        {
            int indentation = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            int tab = lines[i].IndexOf('\t', 0, indentation);
            if (tab >= 0)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

    // YamlDotNet's messages do not always end with a full stop ("Duplicate key name").
    private static string Sentence(string message)
    {
        string trimmed = message.Trim();
        return trimmed.EndsWith('.') ? trimmed : trimmed + ".";
    }

    // Remembers where the last event that parsed ended.
    private sealed class PositionTrackingParser(IParser inner) : IParser
    {
        public Mark LastEnd { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            bool moved = inner.MoveNext();
            if (moved && inner.Current is { } current)
            {
                LastEnd = current.End;
            }

            return moved;
        }
    }
}
