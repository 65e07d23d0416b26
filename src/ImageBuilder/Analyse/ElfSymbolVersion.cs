namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// The version bound to a dynamic symbol through .gnu.version: a version the object defines (from
/// .gnu.version_d) for a defined symbol, or a version it needs from another file (from .gnu.version_r)
/// for an undefined one.
/// </summary>
/// <param name="Name">The version name, for example <c>GLIBC_2.34</c>.</param>
/// <param name="File">For a needed version, the file it is needed from (a DT_NEEDED name); null for a defined one.</param>
/// <param name="Index">The index stored in .gnu.version, without the hidden bit.</param>
/// <param name="IsHidden">
/// Whether the hidden bit (0x8000) is set: the definition is not the default version of its name
/// (<c>name@VERSION</c> rather than <c>name@@VERSION</c>), so lookups from other objects skip it.
/// </param>
public sealed record ElfSymbolVersion(string Name, string? File, ushort Index, bool IsHidden);
