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
        int vectorBits = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            vectorBits = 256;
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            vectorBits = 128;
        }

        return Compute(data, vectorBits);
    }

    /// <summary>Computes the checksum with vectors of <paramref name="vectorBits"/> (256, 128, or 0 for none); tests compare the paths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ZioChecksumValue Compute(ReadOnlySpan<byte> data, int vectorBits)
    {
        Debug.Assert(data.Length % 4 == 0, "ZFS blocks are whole sectors, so whole 32-bit words.");
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(data);
        Debug.Assert(BitConverter.IsLittleEndian, "The words are read in host order, which must be little-endian.");

        ulong a = 0, b = 0, c = 0, d = 0;
        int done = 0;
        if (vectorBits == 256 && words.Length >= 64)
        {
            done = words.Length & ~7;
            (a, b, c, d) = ComputeEightStreams(words[..done]);
        }
        else if (vectorBits == 128 && words.Length >= 64)
        {
            // The natively compiled tool targets the x86-64 baseline, where only 128-bit vectors are
            // known to exist, so Vector256 is not accelerated there.
            done = words.Length & ~7;
            (a, b, c, d) = ComputeEightStreams128(words[..done]);
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

        Span<ulong> a = [aLow[0], aLow[1], aLow[2], aLow[3], aHigh[0], aHigh[1], aHigh[2], aHigh[3]];
        Span<ulong> b = [bLow[0], bLow[1], bLow[2], bLow[3], bHigh[0], bHigh[1], bHigh[2], bHigh[3]];
        Span<ulong> c = [cLow[0], cLow[1], cLow[2], cLow[3], cHigh[0], cHigh[1], cHigh[2], cHigh[3]];
        Span<ulong> d = [dLow[0], dLow[1], dLow[2], dLow[3], dHigh[0], dHigh[1], dHigh[2], dHigh[3]];
        return Merge(a, b, c, d);
    }

    // The same eight streams as ComputeEightStreams in four pairs of 128-bit vectors: the first vector
    // of a group of eight words widens into streams 0-1 and 2-3, the second into 4-5 and 6-7.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (ulong A, ulong B, ulong C, ulong D) ComputeEightStreams128(ReadOnlySpan<uint> words)
    {
        Vector128<ulong> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector128<ulong> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector128<ulong> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector128<ulong> d0 = default, d1 = default, d2 = default, d3 = default;
        ReadOnlySpan<Vector128<uint>> vectors = MemoryMarshal.Cast<uint, Vector128<uint>>(words);
        for (int i = 0; i + 1 < vectors.Length; i += 2)
        {
            (Vector128<ulong> w0, Vector128<ulong> w1) = Vector128.Widen(vectors[i]);
            (Vector128<ulong> w2, Vector128<ulong> w3) = Vector128.Widen(vectors[i + 1]);
            a0 += w0;
            a1 += w1;
            a2 += w2;
            a3 += w3;
            b0 += a0;
            b1 += a1;
            b2 += a2;
            b3 += a3;
            c0 += b0;
            c1 += b1;
            c2 += b2;
            c3 += b3;
            d0 += c0;
            d1 += c1;
            d2 += c2;
            d3 += c3;
        }

        Span<ulong> a = [a0[0], a0[1], a1[0], a1[1], a2[0], a2[1], a3[0], a3[1]];
        Span<ulong> b = [b0[0], b0[1], b1[0], b1[1], b2[0], b2[1], b3[0], b3[1]];
        Span<ulong> c = [c0[0], c0[1], c1[0], c1[1], c2[0], c2[1], c3[0], c3[1]];
        Span<ulong> d = [d0[0], d0[1], d1[0], d1[1], d2[0], d2[1], d3[0], d3[1]];
        return Merge(a, b, c, d);
    }

    // Merges the sums of the eight streams, in stream order, into the sums of one stream.
    private static (ulong A, ulong B, ulong C, ulong D) Merge(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, ReadOnlySpan<ulong> c, ReadOnlySpan<ulong> d)
    {
        unchecked
        {
            ulong sumA = 0, sumB = 0, sumC = 0, sumD = 0;
            for (int k = 0; k < 8; k++)
            {
                sumA += a[k];
                sumB += (8 * b[k]) - ((ulong)k * a[k]);
                sumC += (64 * c[k]) + (MergeCB[k] * b[k]) + (MergeCA[k] * a[k]);
                sumD += (512 * d[k]) + (MergeDC[k] * c[k]) + (MergeDB[k] * b[k]) + (MergeDA[k] * a[k]);
            }

            return (sumA, sumB, sumC, sumD);
        }
    }
}
