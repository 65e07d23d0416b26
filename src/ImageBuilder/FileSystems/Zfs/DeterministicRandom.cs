namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// A seeded SplitMix64 generator for GUIDs and ZAP salts, so that the same seed gives the same pool. It is
/// not for security: GUIDs only need to differ between pools and objects.
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong _state;

    /// <summary>Creates a generator with <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed)
    {
        _state = seed;
    }

    /// <summary>Returns the next 64-bit value.</summary>
    public ulong Next()
    {
        unchecked
        {
            ulong z = _state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Returns a GUID: non-zero and below 2^63, so that tools printing it as a signed number show it unchanged.</summary>
    public ulong NextGuid()
    {
        ulong value;
        do
        {
            value = Next() >> 1;
        }
        while (value == 0);

        return value;
    }

    /// <summary>Returns a non-zero ZAP salt.</summary>
    public ulong NextSalt() => Next() | 1;
}
