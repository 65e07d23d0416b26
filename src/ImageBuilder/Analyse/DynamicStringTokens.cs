using System.Text;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// The dynamic string tokens of DT_RPATH and DT_RUNPATH (<c>$ORIGIN</c>, <c>$LIB</c>, <c>$PLATFORM</c>,
/// also written <c>${NAME}</c>) as glibc's loader expands them (elf/dl-load.c), and the subset OSv
/// expands: only the literal text <c>$ORIGIN</c> (core/elf.cc load_needed()).
/// </summary>
internal static class DynamicStringTokens
{
    /// <summary>The values glibc gives the tokens for one object.</summary>
    /// <param name="Origin">The folder of the object.</param>
    /// <param name="Lib">The value of <c>$LIB</c>, for example <c>lib/x86_64-linux-gnu</c> on Debian.</param>
    /// <param name="Platform">The value of <c>$PLATFORM</c>, for example <c>x86_64</c>.</param>
    internal readonly record struct Values(string Origin, string Lib, string Platform);

    /// <summary>Expands every token of <paramref name="path"/> as glibc does; an unknown <c>$NAME</c> stays as written.</summary>
    public static string ExpandLikeGlibc(string path, Values values)
    {
        if (!path.Contains('$', StringComparison.Ordinal))
        {
            return path;
        }

        var result = new StringBuilder(path.Length + values.Origin.Length);
        int i = 0;
        while (i < path.Length)
        {
            if (path[i] == '$' && TryMatchToken(path, i, out string? name, out int length))
            {
                result.Append(name switch
                {
                    "ORIGIN" => values.Origin,
                    "LIB" => values.Lib,
                    _ => values.Platform,
                });
                i += length;
                continue;
            }

            result.Append(path[i]);
            i++;
        }

        return result.ToString();
    }

    /// <summary>Returns the tokens of <paramref name="path"/> that OSv leaves unexpanded, as written, for example <c>${ORIGIN}</c> or <c>$LIB</c>.</summary>
    public static IReadOnlyList<string> FindUnexpandedByOsv(string path)
    {
        var found = new List<string>();
        for (int i = 0; i < path.Length; i++)
        {
            if (path[i] != '$' || !TryMatchToken(path, i, out string? name, out int length))
            {
                continue;
            }

            string token = path.Substring(i, length);
            if (!(name == "ORIGIN" && token == "$ORIGIN") && !found.Contains(token))
            {
                found.Add(token);
            }
        }

        return found;
    }

    // Matches $NAME (not followed by a name character) or ${NAME} at index, for the three known names.
    private static bool TryMatchToken(string path, int index, out string? name, out int length)
    {
        foreach (string candidate in (ReadOnlySpan<string>)["ORIGIN", "PLATFORM", "LIB"])
        {
            string braced = "${" + candidate + "}";
            if (string.CompareOrdinal(path, index, braced, 0, braced.Length) == 0)
            {
                name = candidate;
                length = braced.Length;
                return true;
            }

            string plain = "$" + candidate;
            int end = index + plain.Length;
            if (string.CompareOrdinal(path, index, plain, 0, plain.Length) == 0 && (end == path.Length || !IsNameCharacter(path[end])))
            {
                name = candidate;
                length = plain.Length;
                return true;
            }
        }

        name = null;
        length = 0;
        return false;
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
