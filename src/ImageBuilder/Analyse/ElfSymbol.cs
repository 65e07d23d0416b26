using ELFSharp.ELF.Sections;

namespace Osv.ImageBuilder.Analyse;

/// <summary>One entry of the dynamic symbol table (.dynsym) with its version.</summary>
/// <param name="Name">The symbol name from the dynamic string table.</param>
/// <param name="Binding">The binding (st_info &gt;&gt; 4); 10 is STB_GNU_UNIQUE, which ELFSharp does not name.</param>
/// <param name="Type">The type (st_info &amp; 0xF).</param>
/// <param name="Visibility">The visibility (st_other &amp; 3).</param>
/// <param name="SectionIndex">The st_shndx value; 0 (SHN_UNDEF) means the object needs the symbol from elsewhere.</param>
/// <param name="Value">The st_value value.</param>
/// <param name="Size">The st_size value, in bytes.</param>
/// <param name="Version">The version from .gnu.version, or null when the symbol is unversioned (index 0 or 1) or the object has no version table.</param>
public readonly record struct ElfSymbol(
    string Name,
    SymbolBinding Binding,
    ElfSymbolType Type,
    SymbolVisibility Visibility,
    ushort SectionIndex,
    ulong Value,
    ulong Size,
    ElfSymbolVersion? Version)
{
    /// <summary>Gets whether the object defines the symbol (st_shndx is not SHN_UNDEF).</summary>
    public bool IsDefined => SectionIndex != ElfConstants.SectionIndexUndefined;

    /// <summary>Gets whether the symbol is weak; a weak undefined symbol may stay unresolved.</summary>
    public bool IsWeak => Binding == SymbolBinding.Weak;

    /// <summary>Gets whether other objects can bind to or provide the symbol (global, weak or GNU unique binding).</summary>
    public bool IsExternal => Binding is SymbolBinding.Global or SymbolBinding.Weak || (byte)Binding == ElfConstants.SymbolBindingGnuUnique;

    /// <summary>Formats the symbol as readelf does: <c>name@VERSION</c>, <c>name@@VERSION</c> for a default definition, or <c>name</c>.</summary>
    public override string ToString()
    {
        if (Version is null)
        {
            return Name;
        }

        string separator = IsDefined && !Version.IsHidden ? "@@" : "@";
        return Name + separator + Version.Name;
    }
}
