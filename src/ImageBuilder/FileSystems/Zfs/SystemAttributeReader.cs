using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Decodes the system-attribute bonus buffers of a ZPL filesystem with the filesystem's own registry and
/// layouts, so that any layout a kernel created can be read, not only the two this writer uses.
/// </summary>
internal sealed class SystemAttributeReader
{
    private readonly Dictionary<ushort, string> _nameByNumber = [];
    private readonly Dictionary<ushort, int> _lengthByNumber = [];
    private readonly Dictionary<ulong, ushort[]> _layouts = [];

    /// <summary>Loads the registry and layouts named by the SA master node <paramref name="saMaster"/>.</summary>
    /// <exception cref="InvalidImageException">The SA objects are missing or damaged.</exception>
    public SystemAttributeReader(ObjectSetReader objects, ulong saMaster, string what)
    {
        Dictionary<string, ulong> master = ReadUInt64Zap(objects, saMaster, $"SA master node of {what}");
        if (!master.TryGetValue("REGISTRY", out ulong registry) || !master.TryGetValue("LAYOUTS", out ulong layouts))
        {
            throw new InvalidImageException($"The SA master node of {what} lacks REGISTRY or LAYOUTS.");
        }

        foreach ((string name, ulong value) in ReadUInt64Zap(objects, registry, $"SA registry of {what}"))
        {
            var number = (ushort)(value & 0xFFFF);
            int length = (int)((value >> 24) & 0xFFFF);
            _nameByNumber.TryAdd(number, name);
            _lengthByNumber[number] = length;
        }

        foreach (ZapRecord record in ZapReader.Read(objects, objects.GetDnode(layouts), $"SA layouts of {what}"))
        {
            if (record.IntegerSize != 2 || !ulong.TryParse(Encoding.UTF8.GetString(record.Name), NumberStyles.None, CultureInfo.InvariantCulture, out ulong layout))
            {
                throw new InvalidImageException($"An entry of the SA layouts of {what} is not a layout number with 16-bit attribute numbers.");
            }

            _layouts[layout] = [.. record.Values.Select(v => (ushort)v)];
        }
    }

    /// <summary>
    /// Finds the attributes of one bonus (or spill) buffer: attribute name to its bytes. Attributes the
    /// registry does not name are left out.
    /// </summary>
    /// <exception cref="InvalidImageException">The buffer does not match its layout.</exception>
    public Dictionary<string, byte[]> Decode(byte[] buffer, string what)
    {
        if (buffer.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(buffer) != Znode.Magic)
        {
            throw new InvalidImageException($"The system attributes of {what} do not start with the SA magic number.");
        }

        ushort layoutInfo = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(4));
        ulong layoutNumber = (ulong)(layoutInfo & 0x3FF);
        int headerSize = (layoutInfo >> 10) * 8;
        if (!_layouts.TryGetValue(layoutNumber, out ushort[]? layout))
        {
            throw new InvalidImageException($"The system attributes of {what} use layout {layoutNumber}, which the filesystem does not define.");
        }

        if (headerSize < 8 || headerSize > buffer.Length)
        {
            throw new InvalidImageException($"The system attributes of {what} have a header of {headerSize} bytes in a {buffer.Length}-byte buffer.");
        }

        var attributes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        int offset = headerSize;
        int variableIndex = 0;
        foreach (ushort attribute in layout)
        {
            if (!_lengthByNumber.TryGetValue(attribute, out int length))
            {
                throw new InvalidImageException($"Layout {layoutNumber} of {what} names attribute {attribute}, which the registry does not define.");
            }

            if (length == 0)
            {
                int lengthOffset = 6 + (2 * variableIndex++);
                if (lengthOffset + 2 > headerSize)
                {
                    throw new InvalidImageException($"The SA header of {what} has no length for variable attribute {attribute}.");
                }

                length = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(lengthOffset));
            }

            if (offset + length > buffer.Length)
            {
                throw new InvalidImageException($"Attribute {attribute} of {what} ends at byte {offset + length} of a {buffer.Length}-byte buffer.");
            }

            if (_nameByNumber.TryGetValue(attribute, out string? name))
            {
                attributes[name] = buffer.AsSpan(offset, length).ToArray();
            }

            offset += (length + 7) & ~7;
        }

        return attributes;
    }

    /// <summary>Reads a ZAP whose entries are single 64-bit integers, by name.</summary>
    public static Dictionary<string, ulong> ReadUInt64Zap(ObjectSetReader objects, ulong objectId, string what)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (ZapRecord record in ZapReader.Read(objects, objects.GetDnode(objectId), what))
        {
            if (record.IntegerSize == sizeof(ulong) && record.Values.Length == 1)
            {
                result[Encoding.UTF8.GetString(record.Name)] = record.Values[0];
            }
        }

        return result;
    }
}
