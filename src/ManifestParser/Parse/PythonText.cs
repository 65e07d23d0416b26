using System.Globalization;
using System.Text;

namespace Osv.Manifests.Parse;

// String operations with the exact semantics of the Python 3 calls OSv's manifest scripts make.
internal static class PythonText
{
    /// <summary>
    /// Returns whether Python's <c>str.isspace()</c> holds for <paramref name="c"/>. It differs from
    /// <see cref="char.IsWhiteSpace(char)"/> only for U+001C..U+001F, which Python counts as whitespace
    /// (Unicode bidirectional class B or S).
    /// </summary>
    public static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    /// <summary>Returns the end index of <paramref name="text"/> after Python's <c>rstrip()</c>.</summary>
    public static int RightStripEnd(string text, int start, int end)
    {
        while (end > start && IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return end;
    }

    /// <summary>Narrows [start, end) the way Python's <c>strip()</c> does.</summary>
    public static (int Start, int End) Strip(string text, int start, int end)
    {
        end = RightStripEnd(text, start, end);
        while (start < end && IsWhiteSpace(text[start]))
        {
            start++;
        }

        return (start, end);
    }

    /// <summary>Formats <paramref name="value"/> as Python's <c>repr()</c> of a str does.</summary>
    public static string Repr(string value) => Quote(value, asciiOnly: false);

    /// <summary>Formats <paramref name="value"/> as Python's <c>ascii()</c> of a str does.</summary>
    public static string Ascii(string value) => Quote(value, asciiOnly: true);

    /// <summary>Returns the number of Unicode code points, as Python's <c>len()</c> counts a str.</summary>
    public static int CodePointCount(string value)
    {
        int count = 0;
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }

            count++;
        }

        return count;
    }

    /// <summary>Returns the first <paramref name="count"/> code points of <paramref name="value"/>.</summary>
    public static string TakeCodePoints(string value, int count)
    {
        int taken = 0;
        int i = 0;
        while (i < value.Length && taken < count)
        {
            bool pair = char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            i += pair ? 2 : 1;
            taken++;
        }

        return value[..i];
    }

    // Implements unicode_repr of CPython's Objects/unicodeobject.c: the quote is ' unless the text
    // contains ' and no ", and characters that are not printable are escaped.
    private static string Quote(string value, bool asciiOnly)
    {
        char quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var builder = new StringBuilder(value.Length + 2);
        builder.Append(quote);
        for (int i = 0; i < value.Length; i++)
        {
            int codePoint = value[i];
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                codePoint = char.ConvertToUtf32(value[i], value[i + 1]);
                i++;
            }

            AppendQuoted(builder, codePoint, quote, asciiOnly);
        }

        builder.Append(quote);
        return builder.ToString();
    }

    private static void AppendQuoted(StringBuilder builder, int codePoint, char quote, bool asciiOnly)
    {
        switch (codePoint)
        {
            case '\\':
                builder.Append(@"\\");
                return;
            case '\t':
                builder.Append(@"\t");
                return;
            case '\n':
                builder.Append(@"\n");
                return;
            case '\r':
                builder.Append(@"\r");
                return;
        }

        if (codePoint == quote)
        {
            builder.Append('\\').Append(quote);
        }
        else if (codePoint < ' ' || codePoint == 0x7f)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\x{codePoint:x2}");
        }
        else if (codePoint < 0x7f || (!asciiOnly && IsPrintable(codePoint)))
        {
            builder.Append(char.ConvertFromUtf32(codePoint));
        }
        else if (codePoint <= 0xff)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\x{codePoint:x2}");
        }
        else if (codePoint <= 0xffff)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\u{codePoint:x4}");
        }
        else
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\U{codePoint:x8}");
        }
    }

    // Python's str.isprintable(): false for control, format, surrogate, private-use, unassigned and
    // separator characters other than the ASCII space.
    private static bool IsPrintable(int codePoint)
    {
        if (codePoint is >= 0xd800 and <= 0xdfff)
        {
            return false;
        }

        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        return category switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            UnicodeCategory.SpaceSeparator => codePoint == ' ',
            _ => true,
        };
    }
}
