using ELFSharp.ELF.Sections;

namespace Osv.ImageBuilder.Analyse;

// The dynamic symbol table (.dynsym) and the symbol versioning tables (.gnu.version, .gnu.version_d,
// .gnu.version_r), all found through the dynamic section.
internal sealed partial class ElfReader
{
    // The decoded version tables and the index that .gnu.version entries refer to.
    private sealed class VersionTables
    {
        public List<ElfVersionDefinition> Definitions { get; } = [];
        public List<ElfVersionRequirement> Requirements { get; } = [];
        public Dictionary<ushort, (string Name, string? File)> ByIndex { get; } = [];
        public Dictionary<int, ElfSymbolVersion> Interned { get; } = [];
    }

    // Decodes .gnu.version_d (DT_VERDEF, DT_VERDEFNUM entries) and .gnu.version_r (DT_VERNEED, DT_VERNEEDNUM).
    private VersionTables ReadVersions(DynamicFacts dynamic, List<ElfSegment> segments, ReadOnlySpan<byte> strings)
    {
        var tables = new VersionTables();
        if (dynamic.VersionDefinitions is { } definitions && dynamic.VersionDefinitionCount > 0)
        {
            ReadVersionDefinitions(tables, MapAddress(segments, definitions, "DT_VERDEF").Offset, dynamic.VersionDefinitionCount, strings);
        }

        if (dynamic.VersionNeeds is { } needs && dynamic.VersionNeedCount > 0)
        {
            ReadVersionNeeds(tables, MapAddress(segments, needs, "DT_VERNEED").Offset, dynamic.VersionNeedCount, strings);
        }

        return tables;
    }

    // Walks the Elf_Verdef chain; every step moves forward by vd_next, so the walk ends.
    private void ReadVersionDefinitions(VersionTables tables, ulong offset, ulong count, ReadOnlySpan<byte> strings)
    {
        CheckCount(count, ElfLayout.VersionDefinition.Size, "DT_VERDEFNUM");
        for (ulong i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = Fetch(offset, ElfLayout.VersionDefinition.Size, "version definition {0}", (long)i);
            ushort flags = U16(entry, ElfLayout.VersionDefinition.Flags);
            ushort index = U16(entry, ElfLayout.VersionDefinition.Index);
            ushort auxCount = U16(entry, ElfLayout.VersionDefinition.AuxCount);
            uint aux = U32(entry, ElfLayout.VersionDefinition.AuxOffset);
            uint next = U32(entry, ElfLayout.VersionDefinition.Next);
            if (auxCount == 0)
            {
                throw new ElfFormatException($"version definition {i} (index {index}) has no name entry");
            }

            var names = new List<string>(auxCount);
            ulong auxOffset = offset + aux;
            for (int j = 0; j < auxCount; j++)
            {
                ReadOnlySpan<byte> auxEntry = Fetch(auxOffset, ElfLayout.VersionDefinitionAux.Size, "a name entry of version definition {0}", (long)i);
                uint name = U32(auxEntry, ElfLayout.VersionDefinitionAux.Name);
                uint auxNext = U32(auxEntry, ElfLayout.VersionDefinitionAux.Next);
                names.Add(ReadString(strings, name, "version definition {0}", (long)i));
                if (auxNext == 0)
                {
                    break;
                }

                auxOffset += auxNext;
            }

            tables.Definitions.Add(new ElfVersionDefinition(names[0], index, (flags & ElfConstants.VersionFlagBase) != 0, names.Skip(1).ToArray()));
            tables.ByIndex[index] = (names[0], null);
            if (next == 0)
            {
                break;
            }

            offset += next;
        }
    }

    // Walks the Elf_Verneed chain and the Elf_Vernaux entries of each file.
    private void ReadVersionNeeds(VersionTables tables, ulong offset, ulong count, ReadOnlySpan<byte> strings)
    {
        CheckCount(count, ElfLayout.VersionNeed.Size, "DT_VERNEEDNUM");
        for (ulong i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = Fetch(offset, ElfLayout.VersionNeed.Size, "version requirement {0}", (long)i);
            ushort auxCount = U16(entry, ElfLayout.VersionNeed.AuxCount);
            uint fileName = U32(entry, ElfLayout.VersionNeed.File);
            uint aux = U32(entry, ElfLayout.VersionNeed.AuxOffset);
            uint next = U32(entry, ElfLayout.VersionNeed.Next);
            string file = ReadString(strings, fileName, "the file name of version requirement {0}", (long)i);

            var versions = new List<ElfNeededVersion>(auxCount);
            ulong auxOffset = offset + aux;
            for (int j = 0; j < auxCount; j++)
            {
                ReadOnlySpan<byte> auxEntry = Fetch(auxOffset, ElfLayout.VersionNeedAux.Size, "an entry of version requirement {0}", (long)i);
                ushort flags = U16(auxEntry, ElfLayout.VersionNeedAux.Flags);
                ushort index = U16(auxEntry, ElfLayout.VersionNeedAux.Other);
                uint name = U32(auxEntry, ElfLayout.VersionNeedAux.Name);
                uint auxNext = U32(auxEntry, ElfLayout.VersionNeedAux.Next);
                string versionName = ReadString(strings, name, "a version name of version requirement {0}", (long)i);
                versions.Add(new ElfNeededVersion(versionName, index, (flags & ElfConstants.VersionFlagWeak) != 0));
                tables.ByIndex[index] = (versionName, file);
                if (auxNext == 0)
                {
                    break;
                }

                auxOffset += auxNext;
            }

            tables.Requirements.Add(new ElfVersionRequirement(file, versions));
            if (next == 0)
            {
                break;
            }

            offset += next;
        }
    }

    // Decodes the dynamic symbols after the null entry, each with its version.
    private List<ElfSymbol> ReadSymbols(DynamicFacts dynamic, List<ElfSegment> segments, SectionFacts sections, ReadOnlySpan<byte> strings, VersionTables versions)
    {
        if (dynamic.SymbolTable is not { } address)
        {
            return [];
        }

        ElfLayout.Symbol layout = _is64 ? ElfLayout.Symbol.Elf64 : ElfLayout.Symbol.Elf32;
        if (dynamic.SymbolEntrySize is { } entrySize && entrySize != (ulong)layout.Size)
        {
            throw new ElfFormatException($"DT_SYMENT is {entrySize}, but a symbol has {layout.Size} bytes");
        }

        // readelf counts .dynsym through its section header; without section headers the hash table
        // bounds the table, as in OSv's object::symtab_len().
        ulong offset;
        ulong count;
        if (sections.HasDynamicSymbols)
        {
            if (sections.DynamicSymbolsEntrySize != (ulong)layout.Size)
            {
                throw new ElfFormatException($"the .dynsym section has entries of {sections.DynamicSymbolsEntrySize} bytes, but a symbol has {layout.Size} bytes");
            }

            offset = sections.DynamicSymbolsOffset;
            count = sections.DynamicSymbolsSize / (ulong)layout.Size;
        }
        else
        {
            offset = MapAddress(segments, address, "DT_SYMTAB").Offset;
            count = CountSymbolsFromHash(dynamic, segments);
        }

        CheckCount(count, layout.Size, "the dynamic symbol count");
        if (count <= 1)
        {
            return [];
        }

        ushort[]? versionIndexes = ReadVersionIndexes(dynamic, segments, count);
        try
        {
            ReadOnlySpan<byte> table = Fetch(offset, count * (ulong)layout.Size, $"the dynamic symbol table ({count} entries)");
            var symbols = new List<ElfSymbol>((int)count - 1);
            for (int i = 1; i < (int)count; i++)
            {
                ReadOnlySpan<byte> entry = table.Slice(i * layout.Size, layout.Size);
                string name = ReadString(strings, U32(entry, layout.Name), "the name of dynamic symbol {0}", i);
                byte info = entry[layout.Info];
                byte other = entry[layout.Other];
                ElfSymbolVersion? version = versionIndexes is null ? null : ResolveVersion(versions, versionIndexes[i], name);
                symbols.Add(new ElfSymbol(
                    name,
                    (SymbolBinding)(info >> 4),
                    (ElfSymbolType)(info & 0xF),
                    (SymbolVisibility)(other & 0x3),
                    U16(entry, layout.SectionIndex),
                    Word(entry, layout.Value),
                    Word(entry, layout.SymbolSize),
                    version));
            }

            return symbols;
        }
        finally
        {
            if (versionIndexes is not null)
            {
                ReturnBuffer(versionIndexes);
            }
        }
    }

    // Copies .gnu.version (one u16 per dynamic symbol) into a pooled array the caller returns.
    private ushort[]? ReadVersionIndexes(DynamicFacts dynamic, List<ElfSegment> segments, ulong count)
    {
        if (dynamic.VersionSymbols is not { } address)
        {
            return null;
        }

        ulong offset = MapAddress(segments, address, "DT_VERSYM").Offset;
        ReadOnlySpan<byte> bytes = Fetch(offset, count * ElfLayout.VersionSymbol.Size, $".gnu.version ({count} entries)");
        ushort[] indexes = RentBuffer<ushort>((int)count);
        for (int i = 0; i < (int)count; i++)
        {
            indexes[i] = U16(bytes, i * ElfLayout.VersionSymbol.Size);
        }

        return indexes;
    }

    // Maps a .gnu.version entry to its version; indexes 0 (local) and 1 (global) carry no version.
    private static ElfSymbolVersion? ResolveVersion(VersionTables versions, ushort raw, string symbol)
    {
        ushort index = (ushort)(raw & ElfConstants.VersionIndexMask);
        if (index <= ElfConstants.VersionIndexGlobal)
        {
            return null;
        }

        if (versions.Interned.TryGetValue(raw, out ElfSymbolVersion? interned))
        {
            return interned;
        }

        if (!versions.ByIndex.TryGetValue(index, out (string Name, string? File) entry))
        {
            throw new ElfFormatException($"dynamic symbol '{symbol}' has version index {index}, which neither .gnu.version_d nor .gnu.version_r defines");
        }

        var version = new ElfSymbolVersion(entry.Name, entry.File, index, (raw & ElfConstants.VersionHidden) != 0);
        versions.Interned.Add(raw, version);
        return version;
    }

    // Counts the dynamic symbols from DT_HASH (nchain) or DT_GNU_HASH (the highest index a chain reaches).
    private ulong CountSymbolsFromHash(DynamicFacts dynamic, List<ElfSegment> segments)
    {
        const int HashWord = 4;
        if (dynamic.Hash is { } hash)
        {
            ReadOnlySpan<byte> header = Fetch(MapAddress(segments, hash, "DT_HASH").Offset, 2 * HashWord, "the DT_HASH header");
            return U32(header, HashWord);
        }

        if (dynamic.GnuHash is not { } gnuHash)
        {
            throw new ElfFormatException("the object has DT_SYMTAB but neither DT_HASH, DT_GNU_HASH nor a .dynsym section header, so its symbol count is unknown");
        }

        // Layout: nbuckets, symoffset, bloom_size, bloom_shift, then bloom_size address-sized words,
        // nbuckets bucket words and one chain word per hashed symbol.
        ulong start = MapAddress(segments, gnuHash, "DT_GNU_HASH").Offset;
        ReadOnlySpan<byte> gnuHeader = Fetch(start, 4 * HashWord, "the DT_GNU_HASH header");
        uint bucketCount = U32(gnuHeader, 0);
        uint symbolOffset = U32(gnuHeader, HashWord);
        uint bloomSize = U32(gnuHeader, 2 * HashWord);
        ulong bucketsStart = start + (4 * HashWord) + ((ulong)bloomSize * (_is64 ? 8UL : 4UL));
        ReadOnlySpan<byte> buckets = Fetch(bucketsStart, (ulong)bucketCount * HashWord, $"the DT_GNU_HASH buckets ({bucketCount})");
        uint highest = 0;
        for (int i = 0; i < (int)bucketCount; i++)
        {
            highest = Math.Max(highest, U32(buckets, i * HashWord));
        }

        if (highest < symbolOffset)
        {
            return symbolOffset;
        }

        // Follow the chain of the highest bucket to its last entry (the one with bit 0 set).
        ulong chainsStart = bucketsStart + ((ulong)bucketCount * HashWord);
        ulong index = highest;
        ulong limit = (ulong)_source.Length / HashWord;
        while (true)
        {
            ulong chainOffset = chainsStart + ((index - symbolOffset) * HashWord);
            uint value = U32(Fetch(chainOffset, HashWord, "a DT_GNU_HASH chain"), 0);
            if ((value & 1) != 0)
            {
                return index + 1;
            }

            index++;
            if (index - highest > limit)
            {
                throw new ElfFormatException("a DT_GNU_HASH chain does not end inside the file");
            }
        }
    }

    // A count of fixed-size entries must fit in the file before anything is sized from it.
    private void CheckCount(ulong count, int entrySize, string what)
    {
        if (count > (ulong)_source.Length / (ulong)entrySize)
        {
            throw new ElfFormatException($"{what} is {count}, but {count} entries of {entrySize} bytes cannot fit in a file of {_source.Length} bytes");
        }
    }
}
