namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// A name-value list (libnvpair's nvlist_t) as ZFS stores pool configurations: ordered pairs with unique
/// names. Only the value types that pool configurations use are modelled; <see cref="NvListXdr"/> encodes and
/// decodes it.
/// </summary>
internal sealed class NvList
{
    private readonly List<NvPair> _pairs = [];

    /// <summary>Gets the pairs in insertion order, which is also the encoded order.</summary>
    public IReadOnlyList<NvPair> Pairs => _pairs;

    /// <summary>Adds a 64-bit unsigned integer.</summary>
    public NvList Add(string name, ulong value) => Add(new NvPair(name, NvDataType.UInt64, value));

    /// <summary>Adds a string.</summary>
    public NvList Add(string name, string value) => Add(new NvPair(name, NvDataType.String, value));

    /// <summary>Adds a boolean pair, which has a name and no value (how labels list active features).</summary>
    public NvList AddBoolean(string name) => Add(new NvPair(name, NvDataType.Boolean, true));

    /// <summary>Adds a nested list.</summary>
    public NvList Add(string name, NvList value) => Add(new NvPair(name, NvDataType.NvList, value));

    /// <summary>Adds an array of nested lists.</summary>
    public NvList Add(string name, NvList[] value) => Add(new NvPair(name, NvDataType.NvListArray, value));

    /// <summary>Adds a decoded pair as it is.</summary>
    public NvList Add(NvPair pair)
    {
        _pairs.Add(pair);
        return this;
    }

    /// <summary>Returns the value of the pair <paramref name="name"/>, or null when there is none.</summary>
    public object? Find(string name)
    {
        foreach (NvPair pair in _pairs)
        {
            if (pair.Name == name)
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary>Returns the 64-bit integer <paramref name="name"/>, or null when it is missing or of another type.</summary>
    public ulong? FindUInt64(string name) => Find(name) as ulong?;

    /// <summary>Returns the string <paramref name="name"/>, or null when it is missing or of another type.</summary>
    public string? FindString(string name) => Find(name) as string;

    /// <summary>Returns the nested list <paramref name="name"/>, or null when it is missing or of another type.</summary>
    public NvList? FindList(string name) => Find(name) as NvList;

    /// <summary>Returns the list array <paramref name="name"/>, or null when it is missing or of another type.</summary>
    public NvList[]? FindListArray(string name) => Find(name) as NvList[];
}

/// <summary>One pair of an <see cref="NvList"/>.</summary>
/// <param name="Name">The pair's name.</param>
/// <param name="Type">The data type code.</param>
/// <param name="Value">A <see cref="ulong"/>, <see cref="string"/>, <see cref="NvList"/>, <see cref="NvList"/> array or true for a boolean; null for types kept only by size.</param>
internal sealed record NvPair(string Name, NvDataType Type, object? Value);

/// <summary>The nvpair data types (data_type_t in sys/nvpair.h; on-disk values).</summary>
internal enum NvDataType
{
    Boolean = 1,
    UInt64 = 8,
    String = 9,
    UInt64Array = 16,
    NvList = 19,
    NvListArray = 20,
}
