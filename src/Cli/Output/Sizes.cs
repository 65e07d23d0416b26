using System.Globalization;

namespace Osv.Cli.Output;

/// <summary>Parses and formats byte sizes with binary suffixes: K = KiB, M = MiB, G = GiB, T = TiB.</summary>
internal static class Sizes
{
    /// <summary>Parses <c>512M</c>, <c>1G</c>, <c>4096</c> (bytes), with an optional trailing <c>iB</c> or <c>B</c>.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string value = text.Trim();
        if (value.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
        {
            value = value[..^2];
        }
        else if (value.EndsWith('B') || value.EndsWith('b'))
        {
            value = value[..^1];
        }

        if (value.Length == 0)
        {
            return false;
        }

        long multiplier = char.ToUpperInvariant(value[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1,
        };
        if (multiplier != 1)
        {
            value = value[..^1];
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number <= 0 || number > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = number * multiplier;
        return true;
    }

    /// <summary>Formats a byte count for people: <c>812 B</c>, <c>1.4 KiB</c>, <c>512.0 MiB</c>.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
