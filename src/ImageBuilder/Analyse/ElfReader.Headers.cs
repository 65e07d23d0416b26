using ELFSharp.ELF.Segments;

namespace Osv.ImageBuilder.Analyse;

// The file header, the program headers and the section headers.
internal sealed partial class ElfReader
{
    // The e_ident and file header fields later steps use.
    private readonly record struct HeaderFacts(
        byte IdentVersion,
        byte OsAbi,
        byte AbiVersion,
        ushort Type,
        ushort Machine,
        ulong Entry,
        ulong ProgramHeaderOffset,
        ushort ProgramHeaderEntrySize,
        ushort ProgramHeaderCount,
        ulong SectionHeaderOffset,
        ushort SectionHeaderEntrySize,
        ushort SectionHeaderCount);

    // What the section headers add: where .dynsym is, for the symbol count readelf also uses.
    private readonly record struct SectionFacts(bool HasDynamicSymbols, ulong DynamicSymbolsOffset, ulong DynamicSymbolsSize, ulong DynamicSymbolsEntrySize);

    private bool HasMagic()
    {
        if (_source.Length < ElfLayout.Ident.MagicLength)
        {
            return false;
        }

        ReadOnlySpan<byte> magic = Fetch(0, ElfLayout.Ident.MagicLength, "the ELF magic");
        return magic.SequenceEqual(ElfConstants.Magic);
    }

    // Decodes e_ident and the file header; sets the class and byte order used by every later step.
    private HeaderFacts ReadHeader()
    {
        if (_source.Length < ElfLayout.Ident.Size)
        {
            throw new ElfFormatException($"the file has {_source.Length} bytes, fewer than the {ElfLayout.Ident.Size} bytes of e_ident");
        }

        ReadOnlySpan<byte> ident = Fetch(0, ElfLayout.Ident.Size, "e_ident");
        byte elfClass = ident[ElfLayout.Ident.Class];
        byte data = ident[ElfLayout.Ident.Data];
        byte identVersion = ident[ElfLayout.Ident.Version];
        byte osAbi = ident[ElfLayout.Ident.OsAbi];
        byte abiVersion = ident[ElfLayout.Ident.AbiVersion];

        _is64 = elfClass switch
        {
            ElfConstants.ClassElf32 => false,
            ElfConstants.ClassElf64 => true,
            _ => throw new ElfFormatException($"EI_CLASS is {elfClass}, neither 1 (ELFCLASS32) nor 2 (ELFCLASS64)"),
        };
        _bigEndian = data switch
        {
            ElfConstants.DataLittleEndian => false,
            ElfConstants.DataBigEndian => true,
            _ => throw new ElfFormatException($"EI_DATA is {data}, neither 1 (little-endian) nor 2 (big-endian)"),
        };

        ElfLayout.FileHeader layout = _is64 ? ElfLayout.FileHeader.Elf64 : ElfLayout.FileHeader.Elf32;
        if (_source.Length < layout.Size)
        {
            throw new ElfFormatException($"the file has {_source.Length} bytes, fewer than the {layout.Size} bytes of the ELF header");
        }

        ReadOnlySpan<byte> header = Fetch(0, (ulong)layout.Size, "the ELF header");
        return new HeaderFacts(
            identVersion,
            osAbi,
            abiVersion,
            U16(header, layout.Type),
            U16(header, layout.Machine),
            Word(header, layout.Entry),
            Word(header, layout.ProgramHeaderOffset),
            U16(header, layout.ProgramHeaderEntrySize),
            U16(header, layout.ProgramHeaderCount),
            Word(header, layout.SectionHeaderOffset),
            U16(header, layout.SectionHeaderEntrySize),
            U16(header, layout.SectionHeaderCount));
    }

    // Decodes every program header. PN_XNUM defers the count to section header 0.
    private List<ElfSegment> ReadProgramHeaders(HeaderFacts header)
    {
        uint count = header.ProgramHeaderCount;
        if (header.ProgramHeaderOffset == 0 || count == 0)
        {
            return [];
        }

        if (count == ElfConstants.ProgramHeaderCountExtended)
        {
            count = ReadSectionHeaderZero(header).Info;
        }

        ElfLayout.ProgramHeader layout = _is64 ? ElfLayout.ProgramHeader.Elf64 : ElfLayout.ProgramHeader.Elf32;
        if (header.ProgramHeaderEntrySize != layout.Size)
        {
            throw new ElfFormatException($"e_phentsize is {header.ProgramHeaderEntrySize}, but a program header has {layout.Size} bytes");
        }

        ReadOnlySpan<byte> table = Fetch(header.ProgramHeaderOffset, (ulong)count * (ulong)layout.Size, $"the program header table ({count} entries)");
        var segments = new List<ElfSegment>((int)count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = table.Slice(i * layout.Size, layout.Size);
            segments.Add(new ElfSegment(
                (SegmentType)U32(entry, layout.Type),
                Word(entry, layout.Offset),
                Word(entry, layout.VirtualAddress),
                Word(entry, layout.FileSize),
                Word(entry, layout.MemorySize),
                (SegmentFlags)U32(entry, layout.Flags),
                Word(entry, layout.Alignment)));
        }

        return segments;
    }

    // Finds the SHT_DYNSYM section. The section headers are optional for loading, so a file without
    // them is valid; when they exist they must lie inside the file.
    private SectionFacts ReadSectionHeaders(HeaderFacts header)
    {
        if (header.SectionHeaderOffset == 0)
        {
            return default;
        }

        ElfLayout.SectionHeader layout = _is64 ? ElfLayout.SectionHeader.Elf64 : ElfLayout.SectionHeader.Elf32;
        ulong count = header.SectionHeaderCount;
        if (count == 0)
        {
            // SHN_LORESERVE or more sections: the real count is sh_size of section header 0.
            count = ReadSectionHeaderZero(header).Size;
        }

        if (count == 0)
        {
            return default;
        }

        if (header.SectionHeaderEntrySize != layout.Size)
        {
            throw new ElfFormatException($"e_shentsize is {header.SectionHeaderEntrySize}, but a section header has {layout.Size} bytes");
        }

        if (count > (ulong)_source.Length / (ulong)layout.Size)
        {
            throw new ElfFormatException($"the section header count {count} cannot fit in a file of {_source.Length} bytes");
        }

        ReadOnlySpan<byte> table = Fetch(header.SectionHeaderOffset, count * (ulong)layout.Size, $"the section header table ({count} entries)");
        for (int i = 0; i < (int)count; i++)
        {
            ReadOnlySpan<byte> entry = table.Slice(i * layout.Size, layout.Size);
            if (U32(entry, layout.Type) != ElfConstants.SectionTypeDynamicSymbols)
            {
                continue;
            }

            return new SectionFacts(
                HasDynamicSymbols: true,
                Word(entry, layout.Offset),
                Word(entry, layout.SectionSize),
                Word(entry, layout.EntrySize));
        }

        return default;
    }

    // Section header 0 carries the real section count (sh_size) and program header count (sh_info)
    // when they do not fit in the file header.
    private (ulong Size, uint Info) ReadSectionHeaderZero(HeaderFacts header)
    {
        ElfLayout.SectionHeader layout = _is64 ? ElfLayout.SectionHeader.Elf64 : ElfLayout.SectionHeader.Elf32;
        if (header.SectionHeaderOffset == 0)
        {
            throw new ElfFormatException("the header defers a count to section header 0, but the file has no section headers");
        }

        ReadOnlySpan<byte> entry = Fetch(header.SectionHeaderOffset, (ulong)layout.Size, "section header 0");
        return (Word(entry, layout.SectionSize), U32(entry, layout.Info));
    }

    // Reads the PT_INTERP string; OSv only tests whether the segment exists.
    private string? ReadInterpreter(List<ElfSegment> segments)
    {
        foreach (ElfSegment segment in segments)
        {
            if (segment.Type != SegmentType.Interpreter)
            {
                continue;
            }

            ReadOnlySpan<byte> bytes = Fetch(segment.Offset, segment.FileSize, "PT_INTERP");
            int end = bytes.IndexOf((byte)0);
            return System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        }

        return null;
    }
}
