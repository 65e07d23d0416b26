using System.Buffers.Binary;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>The four 64-bit words of a block checksum (zio_cksum_t), stored little-endian in block pointers.</summary>
internal readonly record struct ZioChecksumValue(ulong Word0, ulong Word1, ulong Word2, ulong Word3)
{
    /// <summary>The size of the checksum on disk in bytes.</summary>
    public const int Size = 32;

    /// <summary>Writes the four words little-endian.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Word0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Word1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Word2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], Word3);
    }

    /// <summary>Reads four little-endian words.</summary>
    public static ZioChecksumValue Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[24..]));

    /// <inheritdoc/>
    public override string ToString() => $"{Word0:x}:{Word1:x}:{Word2:x}:{Word3:x}";
}
