using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Verifies block checksums for the reader: fletcher4 (what this writer and OSv use by default), fletcher2
/// (older pools) and SHA-256.
/// </summary>
internal static class BlockChecksum
{
    /// <summary>Computes the checksum <paramref name="type"/> of <paramref name="data"/>, or returns null for an unsupported function.</summary>
    public static ZioChecksumValue? Compute(ZioChecksum type, ReadOnlySpan<byte> data) => type switch
    {
        ZioChecksum.Fletcher4 => Fletcher4.Compute(data),
        ZioChecksum.Fletcher2 => Fletcher2(data),
        ZioChecksum.Sha256 => Sha256(data),
        _ => null,
    };

    // fletcher2: two interleaved streams of 64-bit words (zfs_fletcher.c).
    private static ZioChecksumValue Fletcher2(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~15)]);
        ulong a0 = 0, a1 = 0, b0 = 0, b1 = 0;
        for (int i = 0; i + 1 < words.Length; i += 2)
        {
            a0 += words[i];
            a1 += words[i + 1];
            b0 += a0;
            b1 += a1;
        }

        return new ZioChecksumValue(a0, a1, b0, b1);
    }

    // SHA-256 as four 64-bit words read big-endian from the digest.
    private static ZioChecksumValue Sha256(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        return new ZioChecksumValue(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
    }
}
