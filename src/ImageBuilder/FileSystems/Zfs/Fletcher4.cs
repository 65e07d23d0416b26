using System.Diagnostics;
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
            (a, b, c, d) = ComputeFourStreams(words[..done]);
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

    // Runs four interleaved fletcher4 streams (stream k takes words k, k+4, k+8, ...) in one 256-bit vector
    // and combines them into the sums of a single stream. The combination is the one of ZFS's superscalar4
    // and AVX2 implementations: each stream's sums are scaled by how far its words sit from the end of a
    // group of four. The caller passes a multiple of 8 words.
    private static (ulong A, ulong B, ulong C, ulong D) ComputeFourStreams(ReadOnlySpan<uint> words)
    {
        var a = Vector256<ulong>.Zero;
        var b = Vector256<ulong>.Zero;
        var c = Vector256<ulong>.Zero;
        var d = Vector256<ulong>.Zero;
        ReadOnlySpan<Vector256<uint>> vectors = MemoryMarshal.Cast<uint, Vector256<uint>>(words);
        foreach (Vector256<uint> vector in vectors)
        {
            (Vector256<ulong> lower, Vector256<ulong> upper) = Vector256.Widen(vector);
            a += lower;
            b += a;
            c += b;
            d += c;
            a += upper;
            b += a;
            c += b;
            d += c;
        }

        ulong a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        ulong b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
        ulong c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
        ulong d0 = d[0], d1 = d[1], d2 = d[2], d3 = d[3];
        unchecked
        {
            ulong sumA = a0 + a1 + a2 + a3;
            ulong sumB = (4 * (b0 + b1 + b2 + b3)) - a1 - (2 * a2) - (3 * a3);
            ulong sumC = (16 * (c0 + c1 + c2 + c3)) - (6 * b0) - (10 * b1) - (14 * b2) - (18 * b3) + a2 + (3 * a3);
            ulong sumD = (64 * (d0 + d1 + d2 + d3)) - (48 * c0) - (64 * c1) - (80 * c2) - (96 * c3)
                + (4 * b0) + (10 * b1) + (20 * b2) + (34 * b3) - a3;
            return (sumA, sumB, sumC, sumD);
        }
    }
}
