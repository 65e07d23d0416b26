namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Decompresses LZJB (lzjb.c), the compression the OSv-era kernel uses for metadata it writes, so that pools
/// OSv has written to can be read back.
/// </summary>
internal static class Lzjb
{
    private const int MatchBits = 6;
    private const int MatchMinimum = 3;
    private const int OffsetMask = (1 << (16 - MatchBits)) - 1;

    /// <summary>Decompresses <paramref name="source"/> until <paramref name="destination"/> is full; returns false on malformed input.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int input = 0;
        int output = 0;
        int copyMask = 1 << 7;
        int copyMap = 0;
        while (output < destination.Length)
        {
            // Every eighth step a byte of flags marks which of the next eight items are back references.
            if ((copyMask <<= 1) == (1 << 8))
            {
                if (input >= source.Length)
                {
                    return false;
                }

                copyMask = 1;
                copyMap = source[input++];
            }

            if ((copyMap & copyMask) != 0)
            {
                if (input + 1 >= source.Length)
                {
                    return false;
                }

                int length = (source[input] >> (8 - MatchBits)) + MatchMinimum;
                int offset = ((source[input] << 8) | source[input + 1]) & OffsetMask;
                input += 2;
                int from = output - offset;
                if (from < 0 || offset == 0)
                {
                    return false;
                }

                for (; length > 0 && output < destination.Length; length--)
                {
                    destination[output++] = destination[from++];
                }
            }
            else
            {
                if (input >= source.Length)
                {
                    return false;
                }

                destination[output++] = source[input++];
            }
        }

        return true;
    }
}
