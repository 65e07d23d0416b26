namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// One key-value pair of a ZAP: a name of bytes (no NUL) and an array of 1-, 2- or 8-byte integers. A string
/// value is a byte array that ends with NUL.
/// </summary>
internal sealed class ZapEntry
{
    /// <summary>Creates an entry whose value is one 64-bit integer, the common case (directory entries).</summary>
    public ZapEntry(byte[] name, ulong value)
    {
        Name = name;
        IntegerSize = sizeof(ulong);
        Values = null;
        SingleValue = value;
    }

    /// <summary>Creates an entry whose value is an array of <paramref name="integerSize"/>-byte integers.</summary>
    public ZapEntry(byte[] name, int integerSize, ulong[] values)
    {
        Name = name;
        IntegerSize = integerSize;
        Values = values;
    }

    /// <summary>Gets the name's bytes, without a terminating NUL.</summary>
    public byte[] Name { get; }

    /// <summary>Gets the size of each integer of the value: 1, 2 or 8.</summary>
    public int IntegerSize { get; }

    /// <summary>Gets the value when it is an array; null when it is one 64-bit integer.</summary>
    public ulong[]? Values { get; }

    /// <summary>Gets the value when it is one 64-bit integer.</summary>
    public ulong SingleValue { get; }

    /// <summary>Gets the number of integers in the value.</summary>
    public int IntegerCount => Values?.Length ?? 1;

    /// <summary>Gets or sets the 28-bit hash of the name, set when the ZAP is written.</summary>
    public ulong Hash { get; set; }

    /// <summary>Gets or sets the collision differentiator: distinct among entries with the same hash.</summary>
    public uint CollisionDifferentiator { get; set; }

    /// <summary>Gets whether the entry fits a micro ZAP: one 64-bit value and a name of at most 49 bytes.</summary>
    public bool FitsMicroZap => Values is null && Name.Length < MicroZap.NameSize;

    /// <summary>Gets the value's integers.</summary>
    public IEnumerable<ulong> AllValues => Values ?? [SingleValue];
}
