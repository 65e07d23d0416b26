using System.Text;

namespace Osv.Manifests.Parse;

/// <summary>A failure of Python <c>%</c> formatting: the code, the index of the offending <c>%</c> and the message.</summary>
internal readonly record struct FormatError(string Code, int Index, string Message);

/// <summary>
/// Python's <c>str % dict</c> with string values, as OSv's mkbootfs.py and gen-rofs-img.py apply it to every
/// host value with the <c>-D</c> definitions (CPython's PyUnicode_Format).
/// </summary>
internal static class PercentFormatter
{
    // Python accepts larger widths, but a host path padded to a megabyte is a mistake, not a path.
    private const int MaxWidth = 1 << 20;

    private const string Flags = "-+ #0";
    private const string NumericConversions = "diouxXeEfFgG";

    /// <summary>
    /// Formats <paramref name="text"/> or returns the first error, as Python raises only the first.
    /// </summary>
    public static string? Format(string text, IReadOnlyDictionary<string, string> definitions, out FormatError? error)
    {
        error = null;
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c != '%')
            {
                builder.Append(c);
                i++;
                continue;
            }

            error = FormatOne(text, ref i, definitions, builder);
            if (error is not null)
            {
                return null;
            }
        }

        return builder.ToString();
    }

    // Formats the conversion that starts at text[index] == '%' and moves index past it.
    private static FormatError? FormatOne(string text, ref int index, IReadOnlyDictionary<string, string> definitions, StringBuilder output)
    {
        int start = index;
        int i = index + 1;

        // "%%" is a literal percent sign only when nothing is between the two.
        if (i < text.Length && text[i] == '%')
        {
            output.Append('%');
            index = i + 1;
            return null;
        }

        // Mapping key: parentheses nest, as in CPython.
        string? key = null;
        string? value = null;
        if (i < text.Length && text[i] == '(')
        {
            int depth = 1;
            int k = i + 1;
            while (k < text.Length && depth > 0)
            {
                if (text[k] == '(')
                {
                    depth++;
                }
                else if (text[k] == ')')
                {
                    depth--;
                }

                k++;
            }

            if (depth > 0)
            {
                return new FormatError(ManifestCodes.UnterminatedFormatKey, start,
                    "The format key after '%(' has no closing ')'; close it as in %(name)s, or write %% for a literal percent sign.");
            }

            key = text[(i + 1)..(k - 1)];
            i = k;

            // CPython looks the key up right after reading it, before flags, width and conversion.
            if (!definitions.TryGetValue(key, out value))
            {
                return new FormatError(ManifestCodes.UndefinedDefinition, start,
                    $"The host value uses %({key}) but no definition named '{key}' was given; define it (OSv's -D {key}=VALUE) or write the value out.");
            }
        }

        // Flags, width and precision; '*' takes a number from the arguments, which a dict cannot supply.
        bool leftAlign = false;
        while (i < text.Length && Flags.Contains(text[i], StringComparison.Ordinal))
        {
            leftAlign |= text[i] == '-';
            i++;
        }

        if (i < text.Length && text[i] == '*')
        {
            return new FormatError(ManifestCodes.InvalidFormat, start,
                "A '*' width in a '%' conversion needs a number argument, which OSv's definitions cannot supply; write the width as digits.");
        }

        if (!TryReadNumber(text, ref i, out int width))
        {
            return new FormatError(ManifestCodes.InvalidFormat, start, "The width of the '%' conversion is too large; use a smaller width.");
        }

        int precision = -1;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            if (i < text.Length && text[i] == '*')
            {
                return new FormatError(ManifestCodes.InvalidFormat, start,
                    "A '*' precision in a '%' conversion needs a number argument, which OSv's definitions cannot supply; write the precision as digits.");
            }

            if (!TryReadNumber(text, ref i, out precision))
            {
                return new FormatError(ManifestCodes.InvalidFormat, start, "The precision of the '%' conversion is too large; use a smaller precision.");
            }
        }

        while (i < text.Length && text[i] is 'h' or 'l' or 'L')
        {
            i++;
        }

        if (i >= text.Length)
        {
            return new FormatError(ManifestCodes.InvalidFormat, start,
                "The '%' at the end of the value starts an incomplete conversion; write %% for a literal percent sign.");
        }

        char conversion = text[i];
        i++;
        index = i;

        if (conversion == '%')
        {
            return new FormatError(ManifestCodes.InvalidFormat, start,
                "A '%' conversion may not have a key, flags or width (Python 3.11 reports \"unsupported format character\"); write %% for a literal percent sign.");
        }

        if (key is null)
        {
            return new FormatError(ManifestCodes.InvalidFormat, start,
                $"The conversion '%{conversion}' names no definition, so OSv would insert its whole dictionary of definitions; write %(name){conversion} to insert a definition, or %% for a literal percent sign.");
        }

        string? formatted = conversion switch
        {
            's' => value,
            'r' => PythonText.Repr(value!),
            'a' => PythonText.Ascii(value!),
            'c' => PythonText.CodePointCount(value!) == 1 ? value : null,
            _ => null,
        };

        if (formatted is null)
        {
            string message = conversion == 'c'
                ? $"%({key})c needs a single character, but the definition '{key}' has {PythonText.CodePointCount(value!)}; use %({key})s."
                : NumericConversions.Contains(conversion, StringComparison.Ordinal)
                    ? $"%({key}){conversion} formats a number, but definitions are strings; use %({key})s."
                    : $"'{conversion}' (0x{(int)conversion:x}) is not a Python format conversion; use %({key})s, or write %% for a literal percent sign.";
            return new FormatError(ManifestCodes.InvalidFormat, start, message);
        }

        if (precision >= 0 && conversion != 'c')
        {
            formatted = PythonText.TakeCodePoints(formatted, precision);
        }

        int padding = width - PythonText.CodePointCount(formatted);
        if (padding > 0 && !leftAlign)
        {
            output.Append(' ', padding);
        }

        output.Append(formatted);
        if (padding > 0 && leftAlign)
        {
            output.Append(' ', padding);
        }

        return null;
    }

    // Reads decimal digits at text[index]; returns false when the number exceeds MaxWidth.
    private static bool TryReadNumber(string text, ref int index, out int number)
    {
        number = 0;
        while (index < text.Length && char.IsAsciiDigit(text[index]))
        {
            number = (number * 10) + (text[index] - '0');
            if (number > MaxWidth)
            {
                return false;
            }

            index++;
        }

        return true;
    }
}
