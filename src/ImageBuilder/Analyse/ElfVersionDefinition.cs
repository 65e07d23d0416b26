namespace Osv.ImageBuilder.Analyse;

/// <summary>One version an object defines (an Elf_Verdef entry of .gnu.version_d).</summary>
/// <param name="Name">The version name, for example <c>LIBFOO_1.0</c>; for the base entry it is the object's own name.</param>
/// <param name="Index">The index .gnu.version uses for the version.</param>
/// <param name="IsBase">Whether VER_FLG_BASE is set: the entry names the object itself, not a version of its symbols.</param>
/// <param name="Parents">The names of the versions this one inherits from (the further Elf_Verdaux entries).</param>
public sealed record ElfVersionDefinition(string Name, ushort Index, bool IsBase, IReadOnlyList<string> Parents);
