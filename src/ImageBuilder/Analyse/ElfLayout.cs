namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Byte offsets and sizes of the ELF structures the reader decodes, for both classes. The values come
/// from the System V gABI (the <c>Elf32_*</c> and <c>Elf64_*</c> structures of <c>elf.h</c>) and, for the
/// symbol versioning sections, from the Linux Standard Base. The logic never uses a bare offset.
/// </summary>
internal static class ElfLayout
{
    /// <summary>The e_ident array at the start of every ELF file.</summary>
    internal static class Ident
    {
        public const int Size = 16;
        public const int Magic = 0;       // 0x7F 'E' 'L' 'F'
        public const int MagicLength = 4;
        public const int Class = 4;       // ELFCLASS32 or ELFCLASS64
        public const int Data = 5;        // ELFDATA2LSB or ELFDATA2MSB
        public const int Version = 6;     // EV_CURRENT
        public const int OsAbi = 7;       // ELFOSABI_*
        public const int AbiVersion = 8;
    }

    /// <summary>The file header (Elf32_Ehdr / Elf64_Ehdr) after e_ident; the fields move with the address size.</summary>
    internal readonly record struct FileHeader(
        int Size,
        int Type,
        int Machine,
        int Version,
        int Entry,
        int ProgramHeaderOffset,
        int SectionHeaderOffset,
        int Flags,
        int HeaderSize,
        int ProgramHeaderEntrySize,
        int ProgramHeaderCount,
        int SectionHeaderEntrySize,
        int SectionHeaderCount,
        int SectionNameTableIndex)
    {
        public static readonly FileHeader Elf32 = new(52, 16, 18, 20, 24, 28, 32, 36, 40, 42, 44, 46, 48, 50);
        public static readonly FileHeader Elf64 = new(64, 16, 18, 20, 24, 32, 40, 48, 52, 54, 56, 58, 60, 62);
    }

    /// <summary>A program header (Elf32_Phdr / Elf64_Phdr); p_flags moves to offset 4 in the 64-bit layout.</summary>
    internal readonly record struct ProgramHeader(
        int Size,
        int Type,
        int Flags,
        int Offset,
        int VirtualAddress,
        int FileSize,
        int MemorySize,
        int Alignment)
    {
        public static readonly ProgramHeader Elf32 = new(32, 0, 24, 4, 8, 16, 20, 28);
        public static readonly ProgramHeader Elf64 = new(56, 0, 4, 8, 16, 32, 40, 48);
    }

    /// <summary>A section header (Elf32_Shdr / Elf64_Shdr); only the fields the reader needs.</summary>
    internal readonly record struct SectionHeader(
        int Size,
        int Type,
        int Address,
        int Offset,
        int SectionSize,
        int Link,
        int Info,
        int EntrySize)
    {
        public static readonly SectionHeader Elf32 = new(40, 4, 12, 16, 20, 24, 28, 36);
        public static readonly SectionHeader Elf64 = new(64, 4, 16, 24, 32, 40, 44, 56);
    }

    /// <summary>A dynamic entry (Elf32_Dyn / Elf64_Dyn): a signed tag and a value of the address size.</summary>
    internal readonly record struct DynamicEntry(int Size, int Tag, int Value)
    {
        public static readonly DynamicEntry Elf32 = new(8, 0, 4);
        public static readonly DynamicEntry Elf64 = new(16, 0, 8);
    }

    /// <summary>A symbol (Elf32_Sym / Elf64_Sym); st_info, st_other and st_shndx move in the 64-bit layout.</summary>
    internal readonly record struct Symbol(int Size, int Name, int Value, int SymbolSize, int Info, int Other, int SectionIndex)
    {
        public static readonly Symbol Elf32 = new(16, 0, 4, 8, 12, 13, 14);
        public static readonly Symbol Elf64 = new(24, 0, 8, 16, 4, 5, 6);
    }

    /// <summary>One entry of .gnu.version (DT_VERSYM): a 16-bit version index per dynamic symbol.</summary>
    internal static class VersionSymbol
    {
        public const int Size = 2;
    }

    /// <summary>Elf_Verdef, the same in both classes: one version an object defines.</summary>
    internal static class VersionDefinition
    {
        public const int Size = 20;
        public const int Version = 0;     // u16, VER_DEF_CURRENT
        public const int Flags = 2;       // u16, VER_FLG_BASE marks the object's own name
        public const int Index = 4;       // u16, the value .gnu.version uses for this version
        public const int AuxCount = 6;    // u16, number of Elf_Verdaux entries; the first is the name
        public const int Hash = 8;        // u32
        public const int AuxOffset = 12;  // u32, from this entry to its first Elf_Verdaux
        public const int Next = 16;       // u32, from this entry to the next one, 0 at the end
    }

    /// <summary>Elf_Verdaux: a version name (the first one) or a parent version.</summary>
    internal static class VersionDefinitionAux
    {
        public const int Size = 8;
        public const int Name = 0;        // u32, offset in the dynamic string table
        public const int Next = 4;        // u32, from this entry to the next one, 0 at the end
    }

    /// <summary>Elf_Verneed, the same in both classes: the versions needed from one file.</summary>
    internal static class VersionNeed
    {
        public const int Size = 16;
        public const int Version = 0;     // u16, VER_NEED_CURRENT
        public const int AuxCount = 2;    // u16, number of Elf_Vernaux entries
        public const int File = 4;        // u32, offset of the file name (a DT_NEEDED value) in the string table
        public const int AuxOffset = 8;   // u32, from this entry to its first Elf_Vernaux
        public const int Next = 12;       // u32, from this entry to the next one, 0 at the end
    }

    /// <summary>Elf_Vernaux: one needed version.</summary>
    internal static class VersionNeedAux
    {
        public const int Size = 16;
        public const int Hash = 0;        // u32
        public const int Flags = 4;       // u16, VER_FLG_WEAK
        public const int Other = 6;       // u16, the value .gnu.version uses for this version
        public const int Name = 8;        // u32, offset in the dynamic string table
        public const int Next = 12;       // u32, from this entry to the next one, 0 at the end
    }
}
