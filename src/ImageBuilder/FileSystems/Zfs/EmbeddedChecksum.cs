using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The self-checksum of label regions (ZIO_CHECKSUM_LABEL): the last 40 bytes of the region are a trailer
/// (zio_eck_t) holding a magic number and a SHA-256 checksum. The checksum is computed with the trailer
/// holding the region's absolute byte offset on the vdev as the verifier, so each copy of a label differs.
/// </summary>
internal static class EmbeddedChecksum
{
    /// <summary>The size of the trailer in bytes.</summary>
    public const int TrailerSize = 8 + ZioChecksumValue.Size;

    /// <summary>The trailer's magic number (ZEC_MAGIC).</summary>
    public const ulong Magic = 0x0210da7ab10c7a11;

    /// <summary>Fills the trailer of <paramref name="region"/> for a region at <paramref name="absoluteOffset"/>.</summary>
    public static void Seal(Span<byte> region, long absoluteOffset)
    {
        Span<byte> trailer = region[^TrailerSize..];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, Magic);
        new ZioChecksumValue((ulong)absoluteOffset, 0, 0, 0).Write(trailer[8..]);
        ComputeDigest(region).Write(trailer[8..]);
    }

    /// <summary>Returns whether the trailer of <paramref name="region"/> matches its content and offset.</summary>
    public static bool Verify(ReadOnlySpan<byte> region, long absoluteOffset)
    {
        ReadOnlySpan<byte> trailer = region[^TrailerSize..];
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer) != Magic)
        {
            return false;
        }

        ZioChecksumValue stored = ZioChecksumValue.Read(trailer[8..]);
        byte[] copy = region.ToArray();
        new ZioChecksumValue((ulong)absoluteOffset, 0, 0, 0).Write(copy.AsSpan(copy.Length - ZioChecksumValue.Size));
        return ComputeDigest(copy) == stored;
    }

    // ZFS keeps the SHA-256 digest as four 64-bit words read big-endian from the digest bytes (zio_checksum_SHA256).
    private static ZioChecksumValue ComputeDigest(ReadOnlySpan<byte> region)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(region, digest);
        return new ZioChecksumValue(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
    }
}
