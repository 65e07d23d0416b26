using ELFSharp.ELF.Sections;
using ELFSharp.ELF.Segments;

namespace Osv.ImageBuilder.Analyse;

// The dynamic section (found through PT_DYNAMIC, as OSv's loader finds it) and its string table.
internal sealed partial class ElfReader
{
    // The dynamic entries later steps use; addresses are virtual addresses, mapped to file offsets
    // through the PT_LOAD segments.
    private sealed class DynamicFacts
    {
        public bool Present { get; set; }
        public List<ulong> Needed { get; } = [];
        public ulong? Soname { get; set; }
        public ulong? RPath { get; set; }
        public ulong? RunPath { get; set; }
        public ulong? StringTable { get; set; }
        public ulong? StringTableSizeTag { get; set; }
        public ulong StringTableSize { get; set; }
        public ulong? SymbolTable { get; set; }
        public ulong? SymbolEntrySize { get; set; }
        public ulong? Hash { get; set; }
        public ulong? GnuHash { get; set; }
        public ulong? VersionSymbols { get; set; }
        public ulong? VersionDefinitions { get; set; }
        public ulong VersionDefinitionCount { get; set; }
        public ulong? VersionNeeds { get; set; }
        public ulong VersionNeedCount { get; set; }
        public ulong Flags { get; set; }
        public ulong Flags1 { get; set; }
        public bool BindNow { get; set; }
    }

    // Decodes the entries of the first PT_DYNAMIC segment up to DT_NULL.
    private DynamicFacts ReadDynamic(List<ElfSegment> segments)
    {
        var facts = new DynamicFacts();
        int index = segments.FindIndex(s => s.Type == SegmentType.Dynamic);
        if (index < 0)
        {
            return facts;
        }

        facts.Present = true;
        ElfSegment segment = segments[index];
        ElfLayout.DynamicEntry layout = _is64 ? ElfLayout.DynamicEntry.Elf64 : ElfLayout.DynamicEntry.Elf32;
        ulong count = segment.FileSize / (ulong)layout.Size;
        ReadOnlySpan<byte> table = Fetch(segment.Offset, count * (ulong)layout.Size, $"the dynamic section ({count} entries)");
        for (int i = 0; i < (int)count; i++)
        {
            ReadOnlySpan<byte> entry = table.Slice(i * layout.Size, layout.Size);
            ulong tag = Word(entry, layout.Tag);
            ulong value = Word(entry, layout.Value);
            if (tag == (ulong)DynamicTag.Null)
            {
                break;
            }

            Apply(facts, (DynamicTag)tag, value);
        }

        return facts;
    }

    // Records one dynamic entry; the first of each single-valued tag wins.
    private static void Apply(DynamicFacts facts, DynamicTag tag, ulong value)
    {
        switch (tag)
        {
            case DynamicTag.Needed:
                facts.Needed.Add(value);
                break;
            case DynamicTag.SoName:
                facts.Soname ??= value;
                break;
            case DynamicTag.RPath:
                facts.RPath ??= value;
                break;
            case DynamicTag.RunPath:
                facts.RunPath ??= value;
                break;
            case DynamicTag.StrTab:
                facts.StringTable ??= value;
                break;
            case DynamicTag.StrSz:
                facts.StringTableSizeTag ??= value;
                break;
            case DynamicTag.SymTab:
                facts.SymbolTable ??= value;
                break;
            case DynamicTag.SymEnt:
                facts.SymbolEntrySize ??= value;
                break;
            case DynamicTag.Hash:
                facts.Hash ??= value;
                break;
            case DynamicTag.GNUHash:
                facts.GnuHash ??= value;
                break;
            case DynamicTag.VerSym:
                facts.VersionSymbols ??= value;
                break;
            case DynamicTag.VerDef:
                facts.VersionDefinitions ??= value;
                break;
            case DynamicTag.VerDefNum:
                facts.VersionDefinitionCount = value;
                break;
            case DynamicTag.VerNeed:
                facts.VersionNeeds ??= value;
                break;
            case DynamicTag.VerNeedNum:
                facts.VersionNeedCount = value;
                break;
            case DynamicTag.Flags:
                facts.Flags = value;
                break;
            case DynamicTag.Flags1:
                facts.Flags1 = value;
                break;
            case DynamicTag.BindNow:
                facts.BindNow = true;
                break;
        }
    }

    // Maps a virtual address to a file offset through the PT_LOAD segment whose file content contains
    // it, and returns how many bytes of that segment follow it.
    private static (ulong Offset, ulong Available) MapAddress(List<ElfSegment> segments, ulong address, string what)
    {
        foreach (ElfSegment segment in segments)
        {
            if (segment.Type != SegmentType.Load || address < segment.VirtualAddress)
            {
                continue;
            }

            ulong delta = address - segment.VirtualAddress;
            if (delta < segment.FileSize)
            {
                return (segment.Offset + delta, segment.FileSize - delta);
            }
        }

        throw new ElfFormatException($"{what} (address 0x{address:X}) lies outside the file content of every PT_LOAD segment");
    }

    // Copies the dynamic string table (DT_STRTAB, DT_STRSZ bytes) into a pooled buffer that the caller
    // returns; null when the object has none.
    private byte[]? ReadDynamicStrings(DynamicFacts dynamic, List<ElfSegment> segments)
    {
        if (dynamic.StringTable is not { } address)
        {
            if (dynamic.Needed.Count > 0 || dynamic.Soname is not null || dynamic.RPath is not null || dynamic.RunPath is not null)
            {
                throw new ElfFormatException("the dynamic section names strings (DT_NEEDED, DT_SONAME, DT_RPATH or DT_RUNPATH) but has no DT_STRTAB");
            }

            return null;
        }

        (ulong offset, ulong available) = MapAddress(segments, address, "DT_STRTAB");
        ulong size = dynamic.StringTableSizeTag ?? available;
        if (size > int.MaxValue)
        {
            throw new ElfFormatException($"DT_STRSZ is {size} bytes, more than this reader supports");
        }

        ReadOnlySpan<byte> bytes = Fetch(offset, size, $"the dynamic string table (DT_STRSZ {size})");
        byte[] buffer = RentBuffer<byte>(Math.Max(1, (int)size));
        bytes.CopyTo(buffer);
        dynamic.StringTableSize = size;
        return buffer;
    }
}
