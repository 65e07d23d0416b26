using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// ZFS's LZ4 block format (lz4_compress_zfs in zfs/lz4.c): a big-endian 32-bit length of the compressed
/// payload, then one raw LZ4 block. The physical block is that, zero-padded to whole sectors.
/// </summary>
internal static class Lz4Block
{
    private const int HeaderSize = sizeof(uint);

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the bytes used, or 0
    /// when the result does not fit.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length <= HeaderSize)
        {
            return 0;
        }

        int payload = LZ4Codec.Encode(source, destination[HeaderSize..], LZ4Level.L00_FAST);
        if (payload <= 0)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)payload);
        return HeaderSize + payload;
    }

    /// <summary>
    /// Decompresses a physical block into <paramref name="destination"/>, which must be filled exactly;
    /// returns false when the block is malformed.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length < HeaderSize)
        {
            return false;
        }

        uint payload = BinaryPrimitives.ReadUInt32BigEndian(source);
        if (payload > source.Length - HeaderSize)
        {
            return false;
        }

        int decoded = LZ4Codec.Decode(source.Slice(HeaderSize, (int)payload), destination);
        return decoded == destination.Length;
    }
}
