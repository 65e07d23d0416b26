using System.Globalization;

namespace Osv.Cli.Output;

/// <summary>Formats byte sizes for people with binary units; ImageSizeParser parses the sizes users write.</summary>
internal static class Sizes
{
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
