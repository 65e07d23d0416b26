namespace Osv.ImageBuilder.Analyse;

/// <summary>The versions an object needs from one file (an Elf_Verneed entry of .gnu.version_r).</summary>
/// <param name="File">The file the versions are needed from, as its DT_NEEDED names it.</param>
/// <param name="Versions">The needed versions.</param>
public sealed record ElfVersionRequirement(string File, IReadOnlyList<ElfNeededVersion> Versions);

/// <summary>One needed version (an Elf_Vernaux entry).</summary>
/// <param name="Name">The version name, for example <c>GLIBC_2.34</c>.</param>
/// <param name="Index">The index .gnu.version uses for the version.</param>
/// <param name="IsWeak">Whether VER_FLG_WEAK is set: a missing version is not fatal to glibc's loader.</param>
public sealed record ElfNeededVersion(string Name, ushort Index, bool IsWeak);
