using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The XDR encoding of packed nvlists (libnvpair's nvs_xdr_* functions) that ZFS uses in vdev labels and the
/// MOS config object: a 4-byte stream header, then the list. All integers are big-endian.
/// </summary>
internal static class NvListXdr
{
    private const byte EncodingXdr = 1;
    private const byte HostLittleEndian = 1;
    private const int NvListVersion = 0;
    private const uint UniqueNameFlag = 1;          // NV_UNIQUE_NAME
    private const int NvPairHeaderSize = 16;        // sizeof(nvpair_t) in memory
    private const int NvListStructSize = 24;        // sizeof(nvlist_t) in memory
    private const int MaxDepth = 16;                // deeper lists are not pool configurations

    /// <summary>Encodes <paramref name="list"/> with its stream header.</summary>
    public static byte[] Encode(NvList list)
    {
        var buffer = new List<byte>(1024) { EncodingXdr, HostLittleEndian, 0, 0 };
        EncodeList(buffer, list);
        return [.. buffer];
    }

    /// <summary>
    /// Decodes a packed list. Every length is checked against the buffer; unknown value types are skipped by
    /// their encoded size.
    /// </summary>
    /// <exception cref="InvalidImageException">The bytes are not a valid XDR nvlist.</exception>
    public static NvList Decode(ReadOnlySpan<byte> packed)
    {
        if (packed.Length < 4 || packed[0] != EncodingXdr)
        {
            throw new InvalidImageException($"The packed nvlist does not start with the XDR encoding byte (found {(packed.Length > 0 ? packed[0] : -1)}).");
        }

        int position = 4;
        return DecodeList(packed, ref position, depth: 0);
    }

    // Encodes version, flags, every pair and the two-zero terminator.
    private static void EncodeList(List<byte> buffer, NvList list)
    {
        AppendInt32(buffer, NvListVersion);
        AppendInt32(buffer, unchecked((int)UniqueNameFlag));
        foreach (NvPair pair in list.Pairs)
        {
            EncodePair(buffer, pair);
        }

        AppendInt32(buffer, 0);
        AppendInt32(buffer, 0);
    }

    // Encodes one pair; the encoded size counts the whole pair including nested lists, as nvs_xdr_nvp_size does.
    private static void EncodePair(List<byte> buffer, NvPair pair)
    {
        int start = buffer.Count;
        AppendInt32(buffer, 0); // encoded size, patched below
        AppendInt32(buffer, DecodedSize(pair));
        AppendString(buffer, pair.Name);
        AppendInt32(buffer, (int)pair.Type);
        switch (pair.Value)
        {
            case bool when pair.Type == NvDataType.Boolean:
                AppendInt32(buffer, 0);
                break;
            case ulong value:
                AppendInt32(buffer, 1);
                AppendUInt64(buffer, value);
                break;
            case string text:
                AppendInt32(buffer, 1);
                AppendString(buffer, text);
                break;
            case NvList nested:
                AppendInt32(buffer, 1);
                EncodeList(buffer, nested);
                break;
            case NvList[] array:
                AppendInt32(buffer, array.Length);
                foreach (NvList element in array)
                {
                    EncodeList(buffer, element);
                }

                break;
            default:
                throw new InvalidOperationException($"The nvpair '{pair.Name}' has a value type the encoder does not write.");
        }

        int size = buffer.Count - start;
        Span<byte> sizeBytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(sizeBytes, size);
        for (int i = 0; i < 4; i++)
        {
            buffer[start + i] = sizeBytes[i];
        }
    }

    // The in-memory size the decoder allocates for the pair (NVP_SIZE_CALC); decoders check it.
    private static int DecodedSize(NvPair pair)
    {
        int nameSize = Encoding.UTF8.GetByteCount(pair.Name) + 1;
        int valueSize = pair.Value switch
        {
            ulong => sizeof(ulong),
            string text => Encoding.UTF8.GetByteCount(text) + 1,
            NvList => NvListStructSize,
            NvList[] array => array.Length * (sizeof(ulong) + NvListStructSize),
            _ => 0, // a boolean pair has no value
        };
        return Align8(NvPairHeaderSize + nameSize) + Align8(valueSize);
    }

    // Decodes a list body starting at position and leaves position after its terminator.
    private static NvList DecodeList(ReadOnlySpan<byte> data, ref int position, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidImageException($"The packed nvlist nests deeper than {MaxDepth} levels.");
        }

        ReadInt32(data, ref position); // version
        ReadInt32(data, ref position); // flags
        var list = new NvList();
        while (true)
        {
            int pairStart = position;
            int encodedSize = ReadInt32(data, ref position);
            int decodedSize = ReadInt32(data, ref position);
            if (encodedSize == 0 && decodedSize == 0)
            {
                return list;
            }

            if (encodedSize < 20 || encodedSize > data.Length - pairStart)
            {
                throw new InvalidImageException($"An nvpair at byte {pairStart} of the packed nvlist has an encoded size of {encodedSize}, outside the {data.Length}-byte list.");
            }

            int pairEnd = pairStart + encodedSize;
            string name = ReadString(data, ref position, pairEnd);
            var type = (NvDataType)ReadInt32(data, ref position);
            int count = ReadInt32(data, ref position);
            object? value = null;
            switch (type)
            {
                case NvDataType.Boolean:
                    value = true;
                    break;
                case NvDataType.UInt64 when count == 1:
                    value = ReadUInt64(data, ref position);
                    break;
                case NvDataType.String when count == 1:
                    value = ReadString(data, ref position, pairEnd);
                    break;
                case NvDataType.NvList when count == 1:
                    value = DecodeList(data[..pairEnd], ref position, depth + 1);
                    break;
                case NvDataType.NvListArray:
                    if (count < 0 || count > (pairEnd - position) / 16)
                    {
                        throw new InvalidImageException($"The nvpair '{name}' claims {count} nested lists, more than its {encodedSize} bytes can hold.");
                    }

                    var array = new NvList[count];
                    for (int i = 0; i < count; i++)
                    {
                        array[i] = DecodeList(data[..pairEnd], ref position, depth + 1);
                    }

                    value = array;
                    break;
                default:
                    // Other types (booleans, arrays, vdev statistics) are not needed: skip them by their size.
                    break;
            }

            list.Add(new NvPair(name, type, value));
            position = pairEnd;
        }
    }

    private static int ReadInt32(ReadOnlySpan<byte> data, ref int position)
    {
        if (position > data.Length - 4)
        {
            throw new InvalidImageException($"The packed nvlist ends at byte {data.Length} inside a field at byte {position}.");
        }

        int value = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
        position += 4;
        return value;
    }

    private static ulong ReadUInt64(ReadOnlySpan<byte> data, ref int position)
    {
        if (position > data.Length - 8)
        {
            throw new InvalidImageException($"The packed nvlist ends at byte {data.Length} inside a field at byte {position}.");
        }

        ulong value = BinaryPrimitives.ReadUInt64BigEndian(data[position..]);
        position += 8;
        return value;
    }

    // Reads an XDR string (length, bytes, padding to 4) that must end before limit.
    private static string ReadString(ReadOnlySpan<byte> data, ref int position, int limit)
    {
        int length = ReadInt32(data, ref position);
        if (length < 0 || length > limit - position)
        {
            throw new InvalidImageException($"A string at byte {position} of the packed nvlist claims {length} bytes, past the end of its pair at byte {limit}.");
        }

        string text = Encoding.UTF8.GetString(data.Slice(position, length));
        position += Align4(length);
        return text;
    }

    private static void AppendInt32(List<byte> buffer, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        foreach (byte b in bytes)
        {
            buffer.Add(b);
        }
    }

    private static void AppendUInt64(List<byte> buffer, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        foreach (byte b in bytes)
        {
            buffer.Add(b);
        }
    }

    // XDR string: byte length without NUL, the bytes, zero padding to a multiple of 4.
    private static void AppendString(List<byte> buffer, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        AppendInt32(buffer, bytes.Length);
        buffer.AddRange(bytes);
        for (int i = bytes.Length; i < Align4(bytes.Length); i++)
        {
            buffer.Add(0);
        }

        Debug.Assert(buffer.Count % 4 == 0, "XDR keeps every field on a 4-byte boundary.");
    }

    private static int Align4(int value) => (value + 3) & ~3;

    private static int Align8(int value) => (value + 7) & ~7;
}
