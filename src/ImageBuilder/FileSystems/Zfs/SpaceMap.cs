using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The allocations of one metaslab as a space map: a stream of one-word entries, each an ALLOC run. This is
/// the original entry format (OSv's sys/space_map.h): bit 63 clear, bits 16-62 the offset from the metaslab
/// start in sectors, bit 15 the type (0 = ALLOC), bits 0-14 the run length in sectors minus one. OSv's space
/// map code reads only this format; OpenZFS reads it too. The two-word format is not used.
/// </summary>
internal sealed class SpaceMap
{
    /// <summary>The data block size of space map objects (SPACE_MAP_BLOCKSHIFT 12 in OSv).</summary>
    public const int BlockSize = 4096;

    /// <summary>The size of the bonus buffer (space_map_obj_t: object, length in bytes, allocated bytes).</summary>
    public const int BonusLength = 24;

    /// <summary>The longest run one entry holds, in sectors (SM_RUN_MAX).</summary>
    public const long MaxRunSectors = 1L << 15;

    private SpaceMap(ulong[] entries, long allocatedBytes)
    {
        Entries = entries;
        AllocatedBytes = allocatedBytes;
    }

    /// <summary>Gets the entries in offset order.</summary>
    public ulong[] Entries { get; }

    /// <summary>Gets the sum of the runs in bytes.</summary>
    public long AllocatedBytes { get; }

    /// <summary>Gets the length of the entry stream in bytes.</summary>
    public long LengthBytes => Entries.LongLength * sizeof(ulong);

    /// <summary>Gets the number of data blocks the entry stream needs.</summary>
    public int BlockCount => (int)((LengthBytes + BlockSize - 1) / BlockSize);

    /// <summary>
    /// Builds the space map of every metaslab from sorted, merged allocations; a metaslab without
    /// allocations gets an empty map.
    /// </summary>
    public static SpaceMap[] Build(IReadOnlyList<Extent> allocations, int metaslabShift, long metaslabCount, int ashift)
    {
        var entries = new List<ulong>[metaslabCount];
        var allocated = new long[metaslabCount];
        for (long i = 0; i < metaslabCount; i++)
        {
            entries[i] = [];
        }

        foreach (Extent extent in allocations)
        {
            Debug.Assert(extent.Offset % (1L << ashift) == 0 && extent.Length % (1L << ashift) == 0, "Allocations are whole sectors.");
            long offset = extent.Offset;
            long end = extent.End;
            while (offset < end)
            {
                // Each entry stays within one metaslab and within the longest run.
                long metaslab = offset >> metaslabShift;
                Debug.Assert(metaslab < metaslabCount, "The allocator keeps blocks inside the whole metaslabs.");
                long metaslabStart = metaslab << metaslabShift;
                long metaslabEnd = metaslabStart + (1L << metaslabShift);
                long runEnd = Math.Min(Math.Min(end, metaslabEnd), offset + (MaxRunSectors << ashift));
                long runSectors = (runEnd - offset) >> ashift;
                ulong word = ((ulong)((offset - metaslabStart) >> ashift) << 16) | (ulong)(runSectors - 1);
                entries[metaslab].Add(word);
                allocated[metaslab] += runEnd - offset;
                offset = runEnd;
            }
        }

        var maps = new SpaceMap[metaslabCount];
        for (long i = 0; i < metaslabCount; i++)
        {
            maps[i] = new SpaceMap([.. entries[i]], allocated[i]);
        }

        return maps;
    }

    /// <summary>Decodes one-word entries into (offset, length) runs relative to the metaslab, for checks.</summary>
    public static IEnumerable<(long Offset, long Length, bool Free)> Decode(IEnumerable<ulong> words, int ashift)
    {
        foreach (ulong word in words)
        {
            if ((word >> 63) != 0)
            {
                continue; // debug entry: txg and sync pass, no space
            }

            long offset = (long)((word >> 16) & ((1UL << 47) - 1)) << ashift;
            long length = ((long)(word & 0x7FFF) + 1) << ashift;
            yield return (offset, length, ((word >> 15) & 1) != 0);
        }
    }
}
