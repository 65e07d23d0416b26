using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Checks that every undefined dynamic symbol of the objects one program loads has a definition, in
/// OSv's lookup order (program::lookup() in core/elf.cc): the loaded objects in load order, then the
/// kernel's exports. Also checks the versions each object was linked against.
/// </summary>
/// <remarks>
/// An unresolved function is a warning, because OSv binds functions called through the PLT lazily and
/// only the first call fails. An undefined reference of STT_NOTYPE counts as a function. An unresolved
/// data or thread-local symbol is an error: OSv aborts on a missing TLS or copy relocation at load
/// time, and it points other data references at an inaccessible page, so the first access faults.
/// Weak undefined symbols may stay unresolved. A version mismatch is a warning, because glibc rejects
/// such a program at startup while OSv binds by name and ignores the version.
/// </remarks>
internal sealed class SymbolCheck
{
    private readonly KernelProfile _profile;
    private readonly Dictionary<ElfFile, SymbolScope> _scopes = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public SymbolCheck(KernelProfile profile)
    {
        _profile = profile;
    }

    /// <summary>Gets how many undefined symbols were skipped because the kernel's export list is unknown.</summary>
    public int SkippedForUnknownKernel { get; private set; }

    /// <summary>Checks the objects of one program; each finding is reported once per object and symbol, however many programs load the object.</summary>
    public void Check(IReadOnlyList<GuestLoader.LoadedObject> order, DiagnosticBag diagnostics)
    {
        SymbolScope[] scopes = order.Select(o => ScopeOf(o.File)).ToArray();
        for (int i = 0; i < order.Count; i++)
        {
            GuestLoader.LoadedObject seeker = order[i];
            if (seeker.File.Kind == ElfKind.StaticExecutable || seeker.File.Soname == GuestLoader.DynamicLinkerSoname(_profile))
            {
                continue;
            }

            HashSet<(string File, string Version)> missingVersions = CheckVersionRequirements(seeker, diagnostics);
            foreach (ElfSymbol symbol in seeker.File.DynamicSymbols)
            {
                if (symbol.IsDefined || !symbol.IsExternal)
                {
                    continue;
                }

                CheckSymbol(order, scopes, i, symbol, missingVersions, diagnostics);
            }
        }
    }

    // One undefined symbol: the first object in load order that defines it, else the kernel.
    private void CheckSymbol(IReadOnlyList<GuestLoader.LoadedObject> order, SymbolScope[] scopes, int seekerIndex, ElfSymbol symbol, HashSet<(string File, string Version)> missingVersions, DiagnosticBag diagnostics)
    {
        GuestLoader.LoadedObject seeker = order[seekerIndex];
        for (int j = 0; j < order.Count; j++)
        {
            if (!scopes[j].TryLookup(symbol.Name, self: j == seekerIndex, out ElfSymbol? definition))
            {
                continue;
            }

            CheckBoundVersion(seeker, symbol, order[j], scopes[j], definition.Value, missingVersions, diagnostics);
            return;
        }

        if (_profile.ExportedSymbols is { } exports)
        {
            if (exports.Contains(symbol.Name))
            {
                return;
            }
        }
        else if (symbol.Version is null || _profile.ProvidedSonames.Contains(symbol.Version.File ?? string.Empty))
        {
            // Without the kernel's export list, any unversioned symbol or one versioned by a library the
            // kernel provides may come from the kernel.
            SkippedForUnknownKernel++;
            return;
        }

        if (symbol.IsWeak)
        {
            return;
        }

        bool isData = symbol.Type is ElfSymbolType.Object or ElfSymbolType.Tls or ElfSymbolType.Common;
        string code = isData ? ElfDiagnosticCodes.UnresolvedData : ElfDiagnosticCodes.UnresolvedFunction;
        if (!_reported.Add($"{code}|{seeker.GuestPath}|{symbol}"))
        {
            return;
        }

        string kernel = _profile.ExportedSymbols is null ? "no library the kernel provides" : "the kernel does not export it";
        string required = symbol.Version is { } version ? $"'{symbol.Name}' (version {version.Name} of {version.File})" : $"'{symbol.Name}'";
        string message = symbol.Type switch
        {
            ElfSymbolType.Tls => $"{seeker.GuestPath} needs the thread-local variable {required}, but no object it loads defines it and {kernel}; OSv aborts when it loads the object. Add the library that defines it to the image.",
            ElfSymbolType.Object or ElfSymbolType.Common => $"{seeker.GuestPath} needs the variable {required}, but no object it loads defines it and {kernel}; OSv points the reference at an inaccessible page, so the first access faults. Add the library that defines it to the image.",
            _ => $"{seeker.GuestPath} calls {required}, but no object it loads defines it and {kernel}; OSv fails with \"failed looking up symbol\" when it is first called. Add the library that defines it, or ignore this if the call is never made.",
        };
        diagnostics.Add(new Diagnostic(code, isData ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, message, GuestLoader.LocationOf(seeker))
        {
            Chain = seeker.Chain,
        });
    }

    // A versioned reference should bind to a definition of the same version, when the provider has versions.
    private void CheckBoundVersion(GuestLoader.LoadedObject seeker, ElfSymbol symbol, GuestLoader.LoadedObject provider, SymbolScope providerScope, ElfSymbol definition, HashSet<(string File, string Version)> missingVersions, DiagnosticBag diagnostics)
    {
        if (symbol.Version is not { } required || !providerScope.HasVersionDefinitions || definition.Version?.Name == required.Name)
        {
            return;
        }

        if (missingVersions.Contains((required.File ?? string.Empty, required.Name)) || !_reported.Add($"{ElfDiagnosticCodes.VersionMismatch}|{seeker.GuestPath}|{symbol}"))
        {
            return;
        }

        string bound = definition.Version is { } version ? $"{definition.Name}@{version.Name}" : $"the unversioned {definition.Name}";
        diagnostics.Add(new Diagnostic(
            ElfDiagnosticCodes.VersionMismatch,
            DiagnosticSeverity.Warning,
            $"{seeker.GuestPath} was linked against {symbol.Name}@{required.Name} from {required.File}, but OSv binds it to {bound} in {provider.GuestPath}, because it ignores versions; the two may differ in behaviour. Put the library version the object was built against into the image.",
            GuestLoader.LocationOf(seeker))
        {
            Chain = [.. seeker.Chain, provider.GuestPath],
        });
    }

    // Each version an object needs from a library must be one that library defines (glibc checks this
    // at startup with "version ... not found"; OSv does not). Returns the missing ones.
    private HashSet<(string File, string Version)> CheckVersionRequirements(GuestLoader.LoadedObject seeker, DiagnosticBag diagnostics)
    {
        var missing = new HashSet<(string File, string Version)>();
        foreach (ElfVersionRequirement requirement in seeker.File.VersionRequirements)
        {
            if (!seeker.NeededObjects.TryGetValue(requirement.File, out GuestLoader.LoadedObject? provider))
            {
                continue;
            }

            SymbolScope scope = ScopeOf(provider.File);
            if (!scope.HasVersionDefinitions)
            {
                continue;
            }

            foreach (ElfNeededVersion version in requirement.Versions)
            {
                if (version.IsWeak || scope.DefinedVersions.Contains(version.Name))
                {
                    continue;
                }

                missing.Add((requirement.File, version.Name));
                if (!_reported.Add($"{ElfDiagnosticCodes.VersionNotDefined}|{seeker.GuestPath}|{requirement.File}|{version.Name}"))
                {
                    continue;
                }

                diagnostics.Add(new Diagnostic(
                    ElfDiagnosticCodes.VersionNotDefined,
                    DiagnosticSeverity.Warning,
                    $"{seeker.GuestPath} needs version {version.Name} of {requirement.File}, but {provider.GuestPath} defines only {string.Join(", ", scope.DefinedVersions.Order(StringComparer.Ordinal))}; OSv ignores versions and loads it anyway, so symbols may bind to older definitions. Put the library version the object was built against into the image.",
                    GuestLoader.LocationOf(seeker))
                {
                    Chain = [.. seeker.Chain, provider.GuestPath],
                });
            }
        }

        return missing;
    }

    private SymbolScope ScopeOf(ElfFile file)
    {
        if (!_scopes.TryGetValue(file, out SymbolScope? scope))
        {
            scope = new SymbolScope(file);
            _scopes.Add(file, scope);
        }

        return scope;
    }
}
