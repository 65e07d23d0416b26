using System.Diagnostics;
using System.Text;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// A ZAP (ZFS attribute processor) object being built: collects entries and writes them as a micro ZAP when
/// every entry allows it, otherwise as a fat ZAP.
/// </summary>
internal sealed class ZapObject
{
    private readonly List<ZapEntry> _entries = [];

    /// <summary>Creates an empty ZAP whose names are hashed with <paramref name="salt"/> (non-zero).</summary>
    public ZapObject(ulong salt)
    {
        Debug.Assert(salt != 0, "ZAP salts are non-zero.");
        Salt = salt;
    }

    /// <summary>Gets the hash salt.</summary>
    public ulong Salt { get; }

    /// <summary>Gets the number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Gets whether the entries fit a micro ZAP.</summary>
    public bool IsMicro => _entries.Count <= MicroZap.MaxEntries && _entries.TrueForAll(e => e.FitsMicroZap);

    /// <summary>Adds an entry with one 64-bit value.</summary>
    public void Add(string name, ulong value) => _entries.Add(new ZapEntry(Encoding.UTF8.GetBytes(name), value));

    /// <summary>Adds an entry with one 64-bit value and a name given as bytes.</summary>
    public void Add(byte[] name, ulong value) => _entries.Add(new ZapEntry(name, value));

    /// <summary>Adds an entry whose value is an array of integers of <paramref name="integerSize"/> bytes.</summary>
    public void AddArray(string name, int integerSize, ulong[] values) =>
        _entries.Add(new ZapEntry(Encoding.UTF8.GetBytes(name), integerSize, values));

    /// <summary>Adds an entry whose value is a NUL-terminated string (a byte array).</summary>
    public void AddString(string name, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value + "\0");
        AddArray(name, 1, [.. bytes.Select(b => (ulong)b)]);
    }

    /// <summary>
    /// Writes the ZAP's blocks and fills the data block size and block tree of <paramref name="dnode"/>, whose
    /// type and block pointer count must already be set.
    /// </summary>
    /// <exception cref="ZapTooLargeException">A fat ZAP of this writer cannot index the entries.</exception>
    public void Write(BlockWriter writer, Dnode dnode)
    {
        AssignHashes();
        var tree = new BlockTreeBuilder(writer, dnode.Type, dnode.BlockPointers.Length);
        if (IsMicro)
        {
            byte[] block = MicroZap.Build(_entries, Salt);
            dnode.DataBlockSize = block.Length;
            tree.Add(writer.Write(block, dnode.Type, level: 0, fill: 1));
        }
        else
        {
            (int BlockShift, int PrefixLength) plan = FatZap.Plan(_entries) ?? throw new ZapTooLargeException(_entries.Count);
            dnode.DataBlockSize = 1 << plan.BlockShift;
            foreach (byte[] block in FatZap.Build(_entries, Salt, plan))
            {
                tree.Add(writer.Write(block, dnode.Type, level: 0, fill: 1));
            }
        }

        tree.Finish(dnode);
    }

    // Hashes every name and numbers entries with equal hashes 0, 1, 2... so that (hash, cd) pairs are unique,
    // which both ZAP forms need: duplicates break OpenZFS's in-memory tree of a micro ZAP and directory cursors.
    private void AssignHashes()
    {
        var nextCd = new Dictionary<ulong, uint>();
        foreach (ZapEntry entry in _entries)
        {
            entry.Hash = ZapHash.Compute(Salt, entry.Name);
            nextCd.TryGetValue(entry.Hash, out uint cd);
            entry.CollisionDifferentiator = cd;
            nextCd[entry.Hash] = cd + 1;
        }
    }
}

/// <summary>Thrown when a directory has more entries than a fat ZAP with an embedded pointer table indexes.</summary>
internal sealed class ZapTooLargeException : Exception
{
    /// <summary>Creates the exception for a ZAP of <paramref name="entryCount"/> entries.</summary>
    public ZapTooLargeException(int entryCount)
        : base($"A ZAP of {entryCount} entries does not fit the 8192 leaves of 128 KiB this writer can index.")
    {
        EntryCount = entryCount;
    }

    /// <summary>Gets the number of entries.</summary>
    public int EntryCount { get; }
}
