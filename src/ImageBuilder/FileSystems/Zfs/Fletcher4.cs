using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The fletcher4 checksum of ZFS (zfs_fletcher.c): four 64-bit running sums over the little-endian 32-bit
/// words of the block, a += w, b += a, c += b, d += c, all modulo 2^64.
/// </summary>
internal static class Fletcher4
{
    /// <summary>Computes the checksum of <paramref name="data"/>, whose length must be a multiple of 4.</summary>
    /// <remarks>Compiled fully optimized at once: every byte of the image passes through here, from the first block on.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ZioChecksumValue Compute(ReadOnlySpan<byte> data)
    {
        Debug.Assert(data.Length % 4 == 0, "ZFS blocks are whole sectors, so whole 32-bit words.");
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(data);
        Debug.Assert(BitConverter.IsLittleEndian, "The words are read in host order, which must be little-endian.");

        ulong a = 0, b = 0, c = 0, d = 0;
        int done = 0;
        if (Vector256.IsHardwareAccelerated && words.Length >= 64)
        {
            done = words.Length & ~7;
            (a, b, c, d) = ComputeEightStreams(words[..done]);
        }

        for (int i = done; i < words.Length; i++)
        {
            a += words[i];
            b += a;
            c += b;
            d += c;
        }

        return new ZioChecksumValue(a, b, c, d);
    }

    // Coefficients that merge eight interleaved streams into one (see ComputeEightStreams).
    private static readonly ulong[] MergeCB = [unchecked((ulong)-28), unchecked((ulong)-36), unchecked((ulong)-44), unchecked((ulong)-52), unchecked((ulong)-60), unchecked((ulong)-68), unchecked((ulong)-76), unchecked((ulong)-84)];
    private static readonly ulong[] MergeCA = [0, 0, 1, 3, 6, 10, 15, 21];
    private static readonly ulong[] MergeDC = [unchecked((ulong)-448), unchecked((ulong)-512), unchecked((ulong)-576), unchecked((ulong)-640), unchecked((ulong)-704), unchecked((ulong)-768), unchecked((ulong)-832), unchecked((ulong)-896)];
    private static readonly ulong[] MergeDB = [56, 84, 120, 164, 216, 276, 344, 420];
    private static readonly ulong[] MergeDA = [0, 0, 0, unchecked((ulong)-1), unchecked((ulong)-4), unchecked((ulong)-10), unchecked((ulong)-20), unchecked((ulong)-35)];

    // Runs eight interleaved fletcher4 streams (stream k takes words k, k+8, k+16, ...) in two 256-bit
    // vectors whose dependency chains run side by side, then merges them into the sums of one stream.
    // Let t be a word's distance from the end of its stream. A stream's sums weigh its words by 1, t,
    // t(t+1)/2 and t(t+1)(t+2)/6, and the single stream weighs word k of a group of eight by the same
    // polynomials of 8t - k. Expanding those gives the integer coefficients above; for four streams the
    // same expansion gives ZFS's superscalar4 and AVX2 coefficients. The caller passes a multiple of 8 words.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (ulong A, ulong B, ulong C, ulong D) ComputeEightStreams(ReadOnlySpan<uint> words)
    {
        var aLow = Vector256<ulong>.Zero;
        var bLow = Vector256<ulong>.Zero;
        var cLow = Vector256<ulong>.Zero;
        var dLow = Vector256<ulong>.Zero;
        var aHigh = Vector256<ulong>.Zero;
        var bHigh = Vector256<ulong>.Zero;
        var cHigh = Vector256<ulong>.Zero;
        var dHigh = Vector256<ulong>.Zero;
        ReadOnlySpan<Vector256<uint>> vectors = MemoryMarshal.Cast<uint, Vector256<uint>>(words);
        foreach (Vector256<uint> vector in vectors)
        {
            (Vector256<ulong> lower, Vector256<ulong> upper) = Vector256.Widen(vector);
            aLow += lower;
            aHigh += upper;
            bLow += aLow;
            bHigh += aHigh;
            cLow += bLow;
            cHigh += bHigh;
            dLow += cLow;
            dHigh += cHigh;
        }

        unchecked
        {
            ulong sumA = 0, sumB = 0, sumC = 0, sumD = 0;
            for (int k = 0; k < 8; k++)
            {
                ulong a = k < 4 ? aLow[k] : aHigh[k - 4];
                ulong b = k < 4 ? bLow[k] : bHigh[k - 4];
                ulong c = k < 4 ? cLow[k] : cHigh[k - 4];
                ulong d = k < 4 ? dLow[k] : dHigh[k - 4];
                sumA += a;
                sumB += (8 * b) - ((ulong)k * a);
                sumC += (64 * c) + (MergeCB[k] * b) + (MergeCA[k] * a);
                sumD += (512 * d) + (MergeDC[k] * c) + (MergeDB[k] * b) + (MergeDA[k] * a);
            }

            return (sumA, sumB, sumC, sumD);
        }
    }
}
