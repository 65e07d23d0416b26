using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Osv.Diagnostics;

namespace Osv.Manifests.Parse;

/// <summary>
/// Turns manifest bytes or text into lines the way Python's text mode reads them in OSv's scripts:
/// UTF-8, with <c>\n</c>, <c>\r\n</c> and a lone <c>\r</c> all ending a line (universal newlines).
/// </summary>
/// <remarks>
/// OSv's scripts fail on invalid UTF-8 and keep a byte order mark as part of the first line; here both
/// are diagnosed. A line with invalid bytes is reported and left out, because its text is unknown.
/// </remarks>
internal static class ManifestSource
{
    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Splits <paramref name="content"/> into decoded lines, or returns null when it is binary data.</summary>
    public static List<ManifestLine>? SplitBytes(ReadOnlySpan<byte> content, string file, DiagnosticSink diagnostics)
    {
        if (content.StartsWith(Utf8ByteOrderMark))
        {
            diagnostics.Warning(ManifestCodes.ByteOrderMark,
                "The file starts with a UTF-8 byte order mark, which OSv's scripts read as part of the first line; save the file as UTF-8 without a byte order mark.",
                new SourceLocation(file, 1, 1));
            content = content[Utf8ByteOrderMark.Length..];
        }

        int nul = content.IndexOf((byte)0);
        if (nul >= 0)
        {
            ReportBinary(content[..nul], file, diagnostics);
            return null;
        }

        var lines = new List<ManifestLine>();
        int number = 0;
        while (!content.IsEmpty)
        {
            number++;
            int end = content.IndexOfAny((byte)'\n', (byte)'\r');
            ReadOnlySpan<byte> raw = end < 0 ? content : content[..end];
            if (TryDecode(raw, out string text, out int invalidColumn))
            {
                lines.Add(new ManifestLine(number, text));
            }
            else
            {
                diagnostics.Error(ManifestCodes.InvalidUtf8,
                    "The line contains bytes that are not valid UTF-8, which OSv's scripts cannot read; save the file as UTF-8.",
                    new SourceLocation(file, number, invalidColumn));
            }

            content = end < 0 ? [] : content[LineBreakEnd(content, end)..];
        }

        return lines;
    }

    /// <summary>Splits <paramref name="text"/> into lines, or returns null when it contains NUL characters.</summary>
    public static List<ManifestLine>? SplitText(string text, string file, DiagnosticSink diagnostics)
    {
        int start = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            diagnostics.Warning(ManifestCodes.ByteOrderMark,
                "The text starts with a byte order mark (U+FEFF), which OSv's scripts read as part of the first line; remove it.",
                new SourceLocation(file, 1, 1));
            start = 1;
        }

        int nul = text.IndexOf('\0', start);
        if (nul >= 0)
        {
            (int line, int column) = Position(text.AsSpan(start, nul - start));
            diagnostics.Error(ManifestCodes.BinaryContent,
                "The text contains a NUL character, so it is binary data and not a manifest; name the manifest file instead.",
                new SourceLocation(file, line, column));
            return null;
        }

        var lines = new List<ManifestLine>();
        int number = 0;
        while (start < text.Length)
        {
            number++;
            int end = text.AsSpan(start).IndexOfAny('\n', '\r');
            end = end < 0 ? text.Length : start + end;
            string line = text[start..end];
            int invalid = FindLoneSurrogate(line);
            if (invalid < 0)
            {
                lines.Add(new ManifestLine(number, line));
            }
            else
            {
                diagnostics.Error(ManifestCodes.InvalidUtf8,
                    "The line contains a lone UTF-16 surrogate, which has no UTF-8 form; remove it.",
                    new SourceLocation(file, number, invalid + 1));
            }

            start = end < text.Length && text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? end + 2 : end + 1;
        }

        return lines;
    }

    // Returns the index after the line break that starts at content[end].
    private static int LineBreakEnd(ReadOnlySpan<byte> content, int end) =>
        content[end] == (byte)'\r' && end + 1 < content.Length && content[end + 1] == (byte)'\n' ? end + 2 : end + 1;

    private static void ReportBinary(ReadOnlySpan<byte> beforeNul, string file, DiagnosticSink diagnostics)
    {
        // Count lines the way SplitBytes would, so the location matches an editor's.
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < beforeNul.Length; i++)
        {
            if (beforeNul[i] == (byte)'\n' || (beforeNul[i] == (byte)'\r' && (i + 1 >= beforeNul.Length || beforeNul[i + 1] != (byte)'\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        int column = Encoding.UTF8.GetCharCount(beforeNul[lineStart..]) + 1;
        diagnostics.Error(ManifestCodes.BinaryContent,
            "The file contains a NUL byte, so it is binary data and not a manifest; check that the path names the manifest.",
            new SourceLocation(file, line, column));
    }

    private static (int Line, int Column) Position(ReadOnlySpan<char> before)
    {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < before.Length; i++)
        {
            if (before[i] == '\n' || (before[i] == '\r' && (i + 1 >= before.Length || before[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, before.Length - lineStart + 1);
    }

    // Decodes strict UTF-8; on failure reports the 1-based column (in UTF-16 code units) of the first invalid byte.
    private static bool TryDecode(ReadOnlySpan<byte> raw, out string text, out int invalidColumn)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            OperationStatus status = Utf8.ToUtf16(raw, buffer, out _, out int written, replaceInvalidSequences: false);
            if (status == OperationStatus.Done)
            {
                text = new string(buffer, 0, written);
                invalidColumn = 0;
                return true;
            }

            text = string.Empty;
            invalidColumn = written + 1;
            return false;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static int FindLoneSurrogate(string line)
    {
        for (int i = 0; i < line.Length; i++)
        {
            if (char.IsHighSurrogate(line[i]) && i + 1 < line.Length && char.IsLowSurrogate(line[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(line[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
