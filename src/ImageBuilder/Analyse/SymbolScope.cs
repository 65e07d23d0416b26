using System.Diagnostics.CodeAnalysis;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// The dynamic symbols one object offers to the others, indexed by name, as OSv's
/// object::lookup_symbol() finds them.
/// </summary>
/// <remarks>
/// OSv looks names up through DT_GNU_HASH when the object has one, and then skips definitions whose
/// .gnu.version entry has the hidden bit (non-default versions, <c>name@VERSION</c>) unless the object
/// looks itself up; through DT_HASH it does not check versions. Local and undefined entries never
/// match.
/// </remarks>
internal sealed class SymbolScope
{
    private readonly Dictionary<string, ElfSymbol> _visible = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ElfSymbol> _all = new(StringComparer.Ordinal);

    public SymbolScope(ElfFile file)
    {
        bool skipsHidden = file.HasGnuHash;
        foreach (ElfSymbol symbol in file.DynamicSymbols)
        {
            if (!symbol.IsDefined || !symbol.IsExternal || symbol.Type is ElfSymbolType.Section or ElfSymbolType.File)
            {
                continue;
            }

            _all.TryAdd(symbol.Name, symbol);
            if (!(skipsHidden && symbol.Version is { IsHidden: true }))
            {
                _visible.TryAdd(symbol.Name, symbol);
            }
        }

        HasVersionDefinitions = file.VersionDefinitions.Any(d => !d.IsBase);
        DefinedVersions = file.VersionDefinitions.Where(d => !d.IsBase).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Gets whether the object defines versions of its own (beyond the base entry).</summary>
    public bool HasVersionDefinitions { get; }

    /// <summary>Gets the names of the versions the object defines, without the base entry (the object's own name).</summary>
    public IReadOnlySet<string> DefinedVersions { get; }

    /// <summary>Finds the definition another object binds to (<paramref name="self"/> false) or the object itself binds to (true).</summary>
    public bool TryLookup(string name, bool self, [NotNullWhen(true)] out ElfSymbol? symbol)
    {
        bool found = (self ? _all : _visible).TryGetValue(name, out ElfSymbol value);
        symbol = found ? value : null;
        return found;
    }
}
