using ELFSharp.ELF.Sections;
using ELFSharp.ELF.Segments;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// ELF values the analysis needs that ELFSharp's enums do not name (program header types past PT_PHDR,
/// GNU extensions, dynamic flags, symbol versioning). Values from the System V gABI, glibc's elf.h and
/// the Linux Standard Base.
/// </summary>
internal static class ElfConstants
{
    public static ReadOnlySpan<byte> Magic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    public const byte ClassElf32 = 1;               // ELFCLASS32
    public const byte ClassElf64 = 2;               // ELFCLASS64
    public const byte DataLittleEndian = 1;         // ELFDATA2LSB
    public const byte DataBigEndian = 2;            // ELFDATA2MSB
    public const byte VersionCurrent = 1;           // EV_CURRENT
    public const byte OsAbiSystemV = 0;             // ELFOSABI_SYSV (ELFOSABI_NONE)
    public const byte OsAbiLinux = 3;               // ELFOSABI_GNU, also called ELFOSABI_LINUX

    // Program header types ELFSharp's SegmentType does not name.
    public const SegmentType SegmentTls = (SegmentType)7;                      // PT_TLS
    public const SegmentType SegmentGnuEhFrame = (SegmentType)0x6474E550;      // PT_GNU_EH_FRAME
    public const SegmentType SegmentGnuStack = (SegmentType)0x6474E551;        // PT_GNU_STACK
    public const SegmentType SegmentGnuRelro = (SegmentType)0x6474E552;        // PT_GNU_RELRO
    public const SegmentType SegmentGnuProperty = (SegmentType)0x6474E553;     // PT_GNU_PROPERTY
    public const SegmentType SegmentPaxFlags = (SegmentType)0x65041580;        // PT_PAX_FLAGS

    /// <summary>When e_phnum has this value the real count is in sh_info of section header 0.</summary>
    public const ushort ProgramHeaderCountExtended = 0xFFFF;  // PN_XNUM

    public const uint SectionTypeDynamicSymbols = 11;  // SHT_DYNSYM
    public const uint SectionTypeNoBits = 8;           // SHT_NOBITS

    // Dynamic tags ELFSharp's DynamicTag does not name.
    public const DynamicTag TagRelr = (DynamicTag)36;  // DT_RELR

    public const ulong FlagBindNow = 0x8;              // DF_BIND_NOW in DT_FLAGS
    public const ulong Flag1Now = 0x1;                 // DF_1_NOW in DT_FLAGS_1
    public const ulong Flag1Pie = 0x08000000;          // DF_1_PIE in DT_FLAGS_1

    public const ushort SectionIndexUndefined = 0;     // SHN_UNDEF
    public const ushort SectionIndexAbsolute = 0xFFF1; // SHN_ABS
    public const ushort SectionIndexCommon = 0xFFF2;   // SHN_COMMON

    public const ushort VersionIndexLocal = 0;         // VER_NDX_LOCAL
    public const ushort VersionIndexGlobal = 1;        // VER_NDX_GLOBAL
    public const ushort VersionIndexMask = 0x7FFF;     // the index part of a .gnu.version entry
    public const ushort VersionHidden = 0x8000;        // VERSYM_HIDDEN: not the default version of the name
    public const ushort VersionFlagBase = 0x1;         // VER_FLG_BASE: the verdef that names the object itself
    public const ushort VersionFlagWeak = 0x2;         // VER_FLG_WEAK

    public const byte SymbolBindingGnuUnique = 10;     // STB_GNU_UNIQUE
}
