using ELFSharp.ELF.Segments;

namespace Osv.ImageBuilder.Analyse;

/// <summary>One program header of an ELF file.</summary>
/// <param name="Type">The p_type value; values ELFSharp does not name are kept as numbers.</param>
/// <param name="Offset">The p_offset value, in bytes from the start of the file.</param>
/// <param name="VirtualAddress">The p_vaddr value.</param>
/// <param name="FileSize">The p_filesz value, in bytes.</param>
/// <param name="MemorySize">The p_memsz value, in bytes.</param>
/// <param name="Flags">The p_flags value.</param>
/// <param name="Alignment">The p_align value, in bytes.</param>
public readonly record struct ElfSegment(
    SegmentType Type,
    ulong Offset,
    ulong VirtualAddress,
    ulong FileSize,
    ulong MemorySize,
    SegmentFlags Flags,
    ulong Alignment)
{
    /// <summary>Gets the address just past the segment in memory (p_vaddr + p_memsz), saturated at <see cref="ulong.MaxValue"/>.</summary>
    public ulong EndAddress => ulong.MaxValue - VirtualAddress < MemorySize ? ulong.MaxValue : VirtualAddress + MemorySize;
}
