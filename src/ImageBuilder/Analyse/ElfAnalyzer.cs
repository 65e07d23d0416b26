using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Checks every ELF file of an image plan against OSv's load rules before the image is written. It
/// classifies the files and checks them against the kernel profile, adds from the host the libraries
/// that DT_NEEDED entries name, replays OSv's loader over the finished plan, and checks that every
/// undefined dynamic symbol has a definition. All findings are reported at once.
/// </summary>
public static class ElfAnalyzer
{
    /// <summary>Analyses <paramref name="plan"/> and, when <see cref="ElfAnalysisOptions.AddMissingLibraries"/> is set, adds the missing libraries to it.</summary>
    /// <param name="plan">The image plan; library files are added to it.</param>
    /// <param name="programGuestPaths">The programs of the command line, as guest paths (for example <c>/app/server.so</c>); the simulation starts from them.</param>
    /// <param name="profile">What the kernel accepts and provides.</param>
    /// <param name="options">Search paths and switches.</param>
    /// <param name="diagnostics">Receives every finding (OSV2xxx); see <see cref="ElfDiagnosticCodes"/>.</param>
    /// <returns>One record for every ELF file of the plan, the files that were added, and each program's load order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><see cref="ElfAnalysisOptions.GuestWorkingDirectory"/> or <see cref="ElfAnalysisOptions.GuestLibraryDirectory"/> is not an absolute guest path.</exception>
    public static ElfAnalysisResult Analyze(ImagePlan plan, IReadOnlyList<string> programGuestPaths, KernelProfile profile, ElfAnalysisOptions options, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(programGuestPaths);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);
        options = options with
        {
            GuestWorkingDirectory = NormalizeOption(options.GuestWorkingDirectory, nameof(ElfAnalysisOptions.GuestWorkingDirectory)),
            GuestLibraryDirectory = NormalizeOption(options.GuestLibraryDirectory, nameof(ElfAnalysisOptions.GuestLibraryDirectory)),
        };

        var catalog = new ElfCatalog();
        catalog.ReadAll(plan.Files.Select(f => f.HostPath));
        var tree = new GuestTree(plan);

        // Complete the plan from the host first, so the simulation runs on the finished image.
        var closureDiagnostics = new DiagnosticBag();
        HostClosure? closure = null;
        if (options.AddMissingLibraries)
        {
            closure = new HostClosure(plan, tree, catalog, profile, options);
            closure.Run(closureDiagnostics);
        }

        // Replay OSv's loader for every program.
        var programs = new List<ElfProgramLoad>();
        var loaders = new List<GuestLoader>();
        var firstLoad = new Dictionary<string, GuestLoader.LoadedObject>(StringComparer.Ordinal);
        var simulationDiagnostics = new DiagnosticBag();
        foreach (string program in programGuestPaths)
        {
            var loader = new GuestLoader(tree, catalog, profile, options.GuestWorkingDirectory);
            GuestLoader.LoadedObject? root = loader.LoadProgram(program);
            programs.Add(new ElfProgramLoad(program, root?.GuestPath, loader.Order.Select(o => o.GuestPath).ToArray()));
            if (root is null)
            {
                simulationDiagnostics.Add(ProgramNotLoadable(program, tree, catalog));
                continue;
            }

            loaders.Add(loader);
            foreach (GuestLoader.LoadedObject loaded in loader.Order)
            {
                firstLoad.TryAdd(loaded.GuestPath, loaded);
            }
        }

        var loadedPaths = firstLoad.Keys.ToHashSet(StringComparer.Ordinal);

        // Findings in the order a reader follows them: each file, the closure, the loader, the symbols.
        var records = new List<ElfObjectRecord>();
        foreach (GuestFile file in plan.Files)
        {
            CheckFile(file, catalog, profile, loadedPaths, firstLoad, tree, options, diagnostics, records);
        }

        diagnostics.AddRange(closureDiagnostics);
        var reportedMissing = new HashSet<(string Requester, string Name)>();
        if (closure is not null)
        {
            foreach (HostClosure.Missing missing in closure.NotFound)
            {
                reportedMissing.Add((missing.RequesterGuestPath, missing.Name));
                diagnostics.Add(NotFoundOnHost(missing, loadedPaths, firstLoad));
            }
        }

        diagnostics.AddRange(simulationDiagnostics);
        var reportedFailures = new HashSet<(string Requester, string Name)>();
        foreach (GuestLoader loader in loaders)
        {
            foreach (GuestLoader.LoadFailure failure in loader.Failures)
            {
                if (!reportedMissing.Contains((failure.Requester.GuestPath, failure.Name)) && reportedFailures.Add((failure.Requester.GuestPath, failure.Name)))
                {
                    diagnostics.Add(NotLoadable(failure, plan, catalog));
                }
            }
        }

        var symbols = new SymbolCheck(profile);
        foreach (GuestLoader loader in loaders)
        {
            symbols.Check(loader.Order, diagnostics);
        }

        if (profile.ExportedSymbols is null && loaders.Count > 0)
        {
            diagnostics.Add(new Diagnostic(
                ElfDiagnosticCodes.KernelExportsUnknown,
                DiagnosticSeverity.Info,
                $"The kernel profile has no list of exported symbols, so {symbols.SkippedForUnknownKernel} undefined symbols that the kernel may provide (unversioned, or versioned by a library the kernel provides) were not checked. Use a kernel bundle that lists the kernel's symbols to check them."));
        }

        return new ElfAnalysisResult(records, closure?.Added.ToArray() ?? [], programs);
    }

    // Reading errors, the kernel profile checks, the unexpanded tokens, the shadowing by the kernel, and the record.
    private static void CheckFile(
        GuestFile file,
        ElfCatalog catalog,
        KernelProfile profile,
        HashSet<string> loadedPaths,
        Dictionary<string, GuestLoader.LoadedObject> firstLoad,
        GuestTree tree,
        ElfAnalysisOptions options,
        DiagnosticBag diagnostics,
        List<ElfObjectRecord> records)
    {
        ElfCatalog.Entry entry = catalog.Get(file.HostPath);
        bool loaded = loadedPaths.Contains(file.GuestPath);
        if (entry.Error is { } error)
        {
            diagnostics.Add(loaded ? error : error with { Severity = DiagnosticSeverity.Warning });
            return;
        }

        if (entry.File is not { } elf)
        {
            return;
        }

        var location = new SourceLocation(file.HostPath);
        diagnostics.AddRange(KernelProfileChecks.Check(elf, file.GuestPath, profile, loaded));

        string? searchPath = elf.RunPath ?? elf.RPath;
        if (searchPath is not null && DynamicStringTokens.FindUnexpandedByOsv(searchPath) is { Count: > 0 } tokens)
        {
            string tag = elf.RunPath is null ? "DT_RPATH" : "DT_RUNPATH";
            diagnostics.Add(new Diagnostic(
                ElfDiagnosticCodes.UnexpandedToken,
                DiagnosticSeverity.Warning,
                $"The {tag} of {file.GuestPath} ('{searchPath}') uses {string.Join(", ", tokens)}, which OSv does not expand (it replaces only the literal $ORIGIN), so those folders are searched literally. Relink with '-Wl,-rpath,$ORIGIN/...' instead.",
                location));
        }

        if (elf.Soname is { } soname && profile.ProvidedSonames.Contains(soname))
        {
            diagnostics.Add(new Diagnostic(
                ElfDiagnosticCodes.ShadowedByKernel,
                DiagnosticSeverity.Warning,
                $"{file.GuestPath} has the soname {soname}, which the kernel provides itself, so OSv never loads this file for a DT_NEEDED entry. Remove it from the image.",
                location));
        }

        IReadOnlyList<NeededResolution> needed;
        if (firstLoad.TryGetValue(file.GuestPath, out GuestLoader.LoadedObject? loadedObject))
        {
            needed = loadedObject.Needed;
        }
        else
        {
            // An object no program loads: resolve its entries as if it were loaded on its own (dlopen).
            var standalone = new GuestLoader(tree, catalog, profile, options.GuestWorkingDirectory);
            needed = standalone.LoadProgram(file.GuestPath)?.Needed ?? [];
        }

        records.Add(new ElfObjectRecord(file.GuestPath, file.HostPath, elf.Kind, elf.Soname, needed.ToArray(), file.Reason, loaded));
    }

    private static Diagnostic ProgramNotLoadable(string program, GuestTree tree, ElfCatalog catalog)
    {
        string reason;
        string? hostPath = null;
        if (program.Contains('/', StringComparison.Ordinal) && tree.TryResolveFile(program.StartsWith('/') ? program : "/" + program, out string? canonical, out GuestFile? node))
        {
            hostPath = node.HostPath;
            reason = catalog.Get(node.HostPath).Error is null
                ? $"{canonical} is not an ELF file"
                : $"{canonical} is not a valid ELF file";
        }
        else
        {
            reason = program.Contains('/', StringComparison.Ordinal)
                ? $"the image has no file at {program}"
                : $"neither /{program} nor /usr/lib/{program} is in the image";
        }

        return new Diagnostic(
            ElfDiagnosticCodes.ProgramNotLoadable,
            DiagnosticSeverity.Error,
            $"The command line runs {program}, but {reason}. Add the program to the manifest or correct the command line.",
            hostPath is null ? null : new SourceLocation(hostPath));
    }

    // OSV2011: the closure found the name nowhere; an error when a program loads the requester.
    private static Diagnostic NotFoundOnHost(HostClosure.Missing missing, HashSet<string> loadedPaths, Dictionary<string, GuestLoader.LoadedObject> firstLoad)
    {
        bool loaded = loadedPaths.Contains(missing.RequesterGuestPath);
        IReadOnlyList<string> chain = firstLoad.TryGetValue(missing.RequesterGuestPath, out GuestLoader.LoadedObject? loadedObject) ? loadedObject.Chain : missing.Chain;
        string unloaded = loaded ? string.Empty : " No program of the command line loads it, so this matters only if it is loaded later (dlopen).";
        return new Diagnostic(
            ElfDiagnosticCodes.LibraryNotFoundOnHost,
            loaded ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            $"{missing.RequesterGuestPath} needs {missing.Name} (DT_NEEDED), which is neither in the image nor provided by the kernel, and was not found on the host: {missing.Detail}. Install the library, pass its folder as a library path, or add it to the manifest.{unloaded}",
            new SourceLocation(missing.RequesterHostPath))
        {
            Chain = chain,
        };
    }

    // OSV2013: the finished image would not give OSv the library.
    private static Diagnostic NotLoadable(GuestLoader.LoadFailure failure, ImagePlan plan, ElfCatalog catalog)
    {
        string detail;
        if (failure.FoundPath is not null)
        {
            detail = $"{failure.FoundPath} is in the image but is not a valid ELF file";
        }
        else
        {
            string searched = failure.SearchedPaths.Count == 0 ? string.Empty : $"it tried {string.Join(", ", failure.SearchedPaths)}";
            string[] elsewhere = plan.Files
                .Where(f => f.Name == failure.Name || catalog.Get(f.HostPath).File?.Soname == failure.Name)
                .Select(f => f.GuestPath)
                .ToArray();
            string hint = elsewhere.Length == 0
                ? "Add the library to the image (for example at /usr/lib)"
                : $"The image has it at {string.Join(", ", elsewhere)}, outside the search path: move it to /usr/lib, or link {failure.Requester.GuestPath} with '-Wl,-rpath,$ORIGIN/<relative folder>'";
            detail = $"{searched}. {hint}";
        }

        return new Diagnostic(
            ElfDiagnosticCodes.LibraryNotLoadable,
            DiagnosticSeverity.Error,
            $"{failure.Requester.GuestPath} needs {failure.Name} (DT_NEEDED), which OSv would not load: {detail}.",
            GuestLoader.LocationOf(failure.Requester))
        {
            Chain = failure.Requester.Chain,
        };
    }

    private static string NormalizeOption(string path, string name)
    {
        if (!GuestPaths.TryNormalize(path, out string normalized, out string? error))
        {
            throw new ArgumentException($"The option {name} is invalid: {error}");
        }

        return normalized;
    }
}
