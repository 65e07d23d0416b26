namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The ZAP key hash (zap_hash in zap_micro.c): CRC-64 with the reflected ECMA polynomial, seeded with the
/// ZAP's salt, over the name's bytes without the NUL. Only the top 28 bits are kept, because the low bits of
/// a directory cookie carry the collision differentiator.
/// </summary>
internal static class ZapHash
{
    /// <summary>The hash bits kept (ZAP_HASHBITS).</summary>
    public const int Bits = 28;

    private const ulong Polynomial = 0xC96C5795D7870F42;

    private static readonly ulong[] Table = BuildTable();

    /// <summary>Hashes <paramref name="name"/> with <paramref name="salt"/>.</summary>
    public static ulong Compute(ulong salt, ReadOnlySpan<byte> name)
    {
        ulong crc = salt;
        foreach (byte c in name)
        {
            crc = (crc >> 8) ^ Table[(crc ^ c) & 0xFF];
        }

        return crc & ~((1UL << (64 - Bits)) - 1);
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (int i = 0; i < 256; i++)
        {
            ulong entry = (ulong)i;
            for (int bit = 0; bit < 8; bit++)
            {
                entry = (entry >> 1) ^ ((entry & 1) != 0 ? Polynomial : 0);
            }

            table[i] = entry;
        }

        return table;
    }
}
