using System.Globalization;

namespace Osv.Manifests.Project;

/// <summary>
/// Parses image sizes as osv.yaml writes them: a number of bytes, or a whole number with a binary unit
/// K, M, G or T (also KiB, MiB, GiB, TiB), as qemu-img reads them: <c>512M</c> is 536870912 bytes.
/// </summary>
public static class ImageSizeParser
{
    /// <summary>The sector size every image size must be a multiple of, in bytes.</summary>
    public const int SectorSize = 512;

    /// <summary>Parses <paramref name="text"/> into bytes.</summary>
    /// <param name="text">The size, for example <c>512M</c>, <c>1G</c> or <c>1048576</c>.</param>
    /// <param name="bytes">The size in bytes when valid.</param>
    /// <param name="error">Why the size is invalid, as a sentence with the fix; null when valid.</param>
    /// <returns>True when the size is valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static bool TryParse(string text, out long bytes, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = 0;
        string trimmed = text.Trim();
        int digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        string unit = trimmed[digits..].TrimStart();
        int shift = unit.ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KIB" => 10,
            "M" or "MIB" => 20,
            "G" or "GIB" => 30,
            "T" or "TIB" => 40,
            _ => -1,
        };

        if (digits == 0 || shift < 0)
        {
            error = $"The size '{text}' is not a whole number with an optional unit K, M, G or T; write it as 512M, 1G or a number of bytes.";
            return false;
        }

        if (!long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long number)
            || number > (long.MaxValue >> shift))
        {
            error = $"The size '{text}' is too large; write a size below 8 EiB.";
            return false;
        }

        bytes = number << shift;
        if (bytes == 0 || bytes % SectorSize != 0)
        {
            error = $"The size '{text}' ({bytes} bytes) is not a positive multiple of {SectorSize} bytes; round it, for example to 512M.";
            return false;
        }

        error = null;
        return true;
    }
}
