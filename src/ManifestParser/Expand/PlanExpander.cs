using Osv.Diagnostics;
using Osv.Manifests.Parse;
using Osv.Plan;

namespace Osv.Manifests.Expand;

/// <summary>
/// Expands manifest entries into an <see cref="ImagePlan"/> against the host: <c>/**</c> trees are walked,
/// host symbolic links are resolved with OSv's <c>unsymlink</c> rule, host directories become empty guest
/// directories, and <c>-&gt;TARGET</c> entries become guest symbolic links. Every node keeps the manifest
/// location it came from.
/// </summary>
/// <remarks>
/// A later entry for the same guest path replaces the earlier node in place, as gen-rofs-img.py's dict
/// does, while <see cref="ImagePlan.Entries"/> keeps both in order for bootfs, as mkbootfs.py writes both.
/// Problems on the host, such as missing files and symbolic link loops, become diagnostics. The entry is
/// left out and expansion goes on, so one run reports all of them.
/// </remarks>
public sealed class PlanExpander
{
    private const string StrippedSuffix = "-stripped.so";

    /// <summary>Creates an expander.</summary>
    /// <param name="options">The options, or null for the defaults.</param>
    public PlanExpander(ExpansionOptions? options = null)
    {
        Options = options ?? new ExpansionOptions();
    }

    /// <summary>Gets the options the expander applies.</summary>
    public ExpansionOptions Options { get; }

    /// <summary>Expands <paramref name="entries"/> into a new plan.</summary>
    /// <param name="entries">Entries from <see cref="ManifestReader"/>, in manifest order.</param>
    /// <param name="diagnostics">Receives the problems found on the host.</param>
    /// <returns>The plan; entries with errors are left out of it.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ImagePlan Expand(IEnumerable<ManifestEntry> entries, DiagnosticBag diagnostics)
    {
        var plan = new ImagePlan();
        ExpandInto(plan, entries, diagnostics);
        return plan;
    }

    /// <summary>Expands <paramref name="entries"/> into an existing plan, after the nodes it already has.</summary>
    /// <param name="plan">The plan to extend.</param>
    /// <param name="entries">Entries from <see cref="ManifestReader"/>, in manifest order.</param>
    /// <param name="diagnostics">Receives the problems found on the host.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void ExpandInto(ImagePlan plan, IEnumerable<ManifestEntry> entries, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(diagnostics);

        // Every file's path is resolved component by component, so the folders above a payload are
        // looked up once per expansion instead of once per file.
        using HostFileSystem.LookupCache cache = HostFileSystem.CacheLookups();
        var run = new ExpansionRun(plan, Options, diagnostics);
        foreach (ManifestEntry entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            run.Add(entry);
        }
    }

    // The state of one expansion: the plan, and which nodes came from trees, for duplicate reports.
    private sealed class ExpansionRun
    {
        private readonly ImagePlan _plan;
        private readonly ExpansionOptions _options;
        private readonly DiagnosticBag _diagnostics;
        private readonly HashSet<GuestNode> _treeNodes = new(ReferenceEqualityComparer.Instance);

        public ExpansionRun(ImagePlan plan, ExpansionOptions options, DiagnosticBag diagnostics)
        {
            _plan = plan;
            _options = options;
            _diagnostics = diagnostics;
        }

        public void Add(ManifestEntry entry)
        {
            // The reader has reported invalid guest paths and entries that OSv skips.
            if (entry.NormalizedGuestPath is not { } guestPath
                || (entry.Kind != ManifestEntryKind.HostTree && ManifestLineParser.IsSkippedAsStripped(_options.Target, entry.GuestPath, entry.HostSpec, entry.Kind)))
            {
                return;
            }

            switch (entry.Kind)
            {
                case ManifestEntryKind.Symlink:
                    AddLeaf(guestPath, entry.Location, fromTree: false,
                        () => _plan.AddSymlink(guestPath, entry.LinkTarget!, entry.Location));
                    break;

                case ManifestEntryKind.HostTree:
                    AddTree(entry, guestPath, AbsoluteHostPath(entry));
                    break;

                case ManifestEntryKind.HostPathNoFollow:
                    AddNoFollow(entry, guestPath, entry.GuestPath, AbsoluteHostPath(entry));
                    break;

                default:
                    AddHostPath(entry, guestPath, entry.GuestPath, AbsoluteHostPath(entry), fromTree: false);
                    break;
            }
        }

        // The reader makes host paths absolute; an entry built by hand may not, and then the current directory applies.
        private static string AbsoluteHostPath(ManifestEntry entry)
        {
            string path = entry.HostPath ?? string.Empty;
            return path.StartsWith('/') ? path : Path.Join(Environment.CurrentDirectory, path);
        }

        private void AddTree(ManifestEntry entry, string guestRoot, string hostRoot)
        {
            var walker = new TreeWalker(_options.FollowDirectorySymlinksInTrees, entry.Location, _diagnostics);
            List<TreeFile>? files = walker.Walk(hostRoot);
            if (files is null)
            {
                return;
            }

            foreach (string folder in walker.Folders)
            {
                _plan.AddTreeFolder(folder);
            }

            // OSv names each file GUEST (without "**") + relative path; bootfs stores that text.
            string writtenPrefix = entry.GuestPath.EndsWith("/**", StringComparison.Ordinal)
                ? entry.GuestPath[..^2]
                : entry.GuestPath.TrimEnd('/') + "/";
            foreach (TreeFile file in files)
            {
                string guestPath = guestRoot == "/" ? "/" + file.RelativePath : guestRoot + "/" + file.RelativePath;
                string writtenName = writtenPrefix + file.RelativePath;
                if (_options.Target != ManifestTarget.Rofs && _options.Target != ManifestTarget.Zfs
                    && writtenName.EndsWith(StrippedSuffix, StringComparison.Ordinal))
                {
                    _diagnostics.Warning(ManifestCodes.StrippedEntry,
                        $"The tree file '{file.HostPath}' ends in '{StrippedSuffix}', and OSv's image scripts skip such files, so it is left out; remove it from the tree or copy it under another name.",
                        entry.Location);
                    continue;
                }

                CheckNameLength(writtenName, entry.Location);
                // A regular file found through physical directories needs no resolution; links and
                // -stripped.so names go through the full rule.
                bool strippedHost = file.HostPath.EndsWith(StrippedSuffix, StringComparison.Ordinal);
                if (file.PhysicalPath is { } physical && !strippedHost)
                {
                    AddExisting(entry, guestPath, writtenName, physical, fromTree: true);
                }
                else
                {
                    AddHostPath(entry, guestPath, writtenName, file.HostPath, fromTree: true);
                }
            }
        }

        // A plain host path: resolve links with OSv's unsymlink rule, then copy a file or create a directory.
        private void AddHostPath(ManifestEntry entry, string guestPath, string writtenName, string hostPath, bool fromTree)
        {
            UnsymlinkResult resolved = Unsymlinker.Resolve(hostPath);
            if (resolved.IsLoop)
            {
                _diagnostics.Error(ManifestCodes.SymlinkLoop,
                    $"The host path '{hostPath}' is a symbolic link that resolves in a loop ({string.Join(", ", resolved.Chain)}); fix the links or name the file directly.",
                    entry.HostLocation);
                return;
            }

            if (resolved.IsDanglingAbsolute)
            {
                AddDanglingLink(entry, guestPath, resolved, fromTree);
                return;
            }

            // gen-rofs-img.py checks the host path after unsymlink; the reader has reported a host value
            // that already ends in the suffix.
            if (_options.Target != ManifestTarget.Bootfs && resolved.Path.EndsWith(StrippedSuffix, StringComparison.Ordinal))
            {
                if (fromTree || resolved.Chain.Count > 0)
                {
                    _diagnostics.Warning(ManifestCodes.StrippedEntry,
                        $"The host path '{hostPath}' resolves to '{resolved.Path}', which ends in '{StrippedSuffix}', and OSv's gen-rofs-img.py skips such entries, so it is left out; point the link at the unstripped .so or rename the file.",
                        entry.HostLocation);
                }

                return;
            }

            RealPathResult real = HostFileSystem.RealPath(resolved.Path);
            if (real.Path is null)
            {
                ReportUnresolved(entry, hostPath, resolved, real);
                return;
            }

            AddExisting(entry, guestPath, writtenName, real.Path, fromTree);
        }

        // GUEST: !HOST: no unsymlink; a link stays a link, except on bootfs, which copies what it points to.
        private void AddNoFollow(ManifestEntry entry, string guestPath, string writtenName, string hostPath)
        {
            HostEntryKind kind = HostFileSystem.LstatPath(hostPath, out string? physical);
            if (kind == HostEntryKind.Missing || physical is null)
            {
                ReportMissing(entry, hostPath, chain: []);
                return;
            }

            if (kind != HostEntryKind.Symlink)
            {
                AddExisting(entry, guestPath, writtenName, physical, fromTree: false);
                return;
            }

            if (_options.Target == ManifestTarget.Bootfs)
            {
                RealPathResult real = HostFileSystem.RealPath(physical);
                if (real.Path is null)
                {
                    ReportUnresolved(entry, hostPath, new UnsymlinkResult(physical, [], false, false), real);
                    return;
                }

                AddExisting(entry, guestPath, writtenName, real.Path, fromTree: false);
                return;
            }

            string target = HostFileSystem.ReadLink(physical) ?? string.Empty;
            AddLeaf(guestPath, entry.Location, fromTree: false,
                () => _plan.AddSymlink(guestPath, target, entry.Location, physical));
        }

        // A link whose absolute target exists under no ancestor: gen-rofs-img.py stores it as a link, mkbootfs.py fails.
        private void AddDanglingLink(ManifestEntry entry, string guestPath, UnsymlinkResult resolved, bool fromTree)
        {
            HostFileSystem.LstatPath(resolved.Path, out string? physical);
            string target = physical is null ? string.Empty : HostFileSystem.ReadLink(physical) ?? string.Empty;
            if (_options.Target == ManifestTarget.Bootfs)
            {
                _diagnostics.Error(ManifestCodes.HostPathNotFound,
                    $"The host symbolic link '{resolved.Path}' points to '{target}', which exists neither on the host nor under any of the link's parent directories, so bootfs has no content to copy; fix the link or name the file directly.",
                    entry.HostLocation);
                return;
            }

            _diagnostics.Warning(ManifestCodes.DanglingSymlinkKept,
                $"The host symbolic link '{resolved.Path}' points to '{target}', which exists neither on the host nor under any of the link's parent directories, so the image gets a symbolic link to '{target}' instead of a file, as gen-rofs-img.py makes it; fix the link if the guest should get the file.",
                entry.HostLocation);
            AddLeaf(guestPath, entry.Location, fromTree,
                () => _plan.AddSymlink(guestPath, target, entry.Location, physical));
        }

        // Adds a resolved host file or directory.
        private void AddExisting(ManifestEntry entry, string guestPath, string writtenName, string physical, bool fromTree)
        {
            HostEntryKind kind = HostFileSystem.Lstat(physical);
            if (kind == HostEntryKind.Directory)
            {
                // mkbootfs.py writes a directory's name with a trailing '/'.
                string bootfsName = writtenName.EndsWith('/') ? writtenName : writtenName + "/";
                if (System.Text.Encoding.UTF8.GetByteCount(writtenName) <= ManifestLineParser.MaxBootfsNameBytes)
                {
                    CheckNameLength(bootfsName, entry.Location);
                }

                AddGuestDirectory(guestPath, entry.Location, physical);
                return;
            }

            long size;
            try
            {
                size = new FileInfo(physical).Length;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                _diagnostics.Error(ManifestCodes.HostPathUnreadable,
                    $"The host file '{physical}' cannot be read: {exception.Message} Check its permissions.",
                    entry.HostLocation);
                return;
            }

            // NOTE: a FIFO, socket or device node looks like a regular file to .NET and is added as one.
            AddLeaf(guestPath, entry.Location, fromTree,
                () => _plan.AddFile(guestPath, physical, size, entry.Location));
        }

        private void AddGuestDirectory(string guestPath, SourceLocation origin, string hostPath)
        {
            try
            {
                _plan.AddDirectory(guestPath, origin, hostPath);
            }
            catch (InvalidOperationException exception)
            {
                _diagnostics.Error(ManifestCodes.GuestPathConflict,
                    $"The guest directory '{guestPath}' cannot be created: {exception.Message} Remove one of the conflicting entries.",
                    origin);
            }
        }

        // Adds a file or link node, reporting duplicates the reader could not see and conflicts with directories.
        private void AddLeaf(string guestPath, SourceLocation origin, bool fromTree, Func<GuestNode> add)
        {
            GuestNode? existing = _plan.Find(guestPath);
            if (existing is not null and not GuestDirectory)
            {
                bool existingFromTree = _treeNodes.Contains(existing);
                bool sameFile = existing.Origin is { } previous && previous.File == origin.File;
                if (fromTree || existingFromTree || !sameFile)
                {
                    string where = existing.Origin is { } location ? location.ToString() : "an earlier step";
                    _diagnostics.Warning(ManifestCodes.DuplicateGuestPath,
                        $"The guest path '{guestPath}' was already added by {where}; this later entry replaces it on ROFS and ZFS, while bootfs writes both. Remove one of the two.",
                        origin);
                }

                _treeNodes.Remove(existing);
            }

            try
            {
                GuestNode node = add();
                if (fromTree)
                {
                    _treeNodes.Add(node);
                }
            }
            catch (InvalidOperationException exception)
            {
                _diagnostics.Error(ManifestCodes.GuestPathConflict,
                    $"The guest path '{guestPath}' cannot be added: {exception.Message} Remove one of the conflicting entries.",
                    origin);
            }
        }

        private void ReportUnresolved(ManifestEntry entry, string hostPath, UnsymlinkResult resolved, RealPathResult real)
        {
            if (real.Failure == RealPathFailure.Loop)
            {
                _diagnostics.Error(ManifestCodes.SymlinkLoop,
                    $"The host path '{hostPath}' runs into a symbolic link loop at '{real.FailedAt}'; fix the links or name the file directly.",
                    entry.HostLocation);
                return;
            }

            if (real.Failure == RealPathFailure.Unreadable)
            {
                _diagnostics.Error(ManifestCodes.HostPathUnreadable,
                    $"The host path '{hostPath}' cannot be read at '{real.FailedAt}'; check its permissions.",
                    entry.HostLocation);
                return;
            }

            ReportMissing(entry, resolved.Path, resolved.Chain);
        }

        private void ReportMissing(ManifestEntry entry, string hostPath, IReadOnlyList<string> chain)
        {
            string through = chain.Count == 0 ? string.Empty : $" (reached through the symbolic links {string.Join(", ", chain)})";

            // A relative host path in a manifest is resolved from the manifest's base directory. An
            // absolute one is used as written, and so is every osv.yaml path, resolved from its folder.
            string resolvedFrom = entry.HostSpec == hostPath || Path.IsPathRooted(entry.HostSpec)
                ? "check the path"
                : $"check the path, which is resolved from '{entry.HostSpec}' relative to the manifest's base directory";
            _diagnostics.Error(ManifestCodes.HostPathNotFound,
                $"The host path '{hostPath}'{through} does not exist; {resolvedFrom}.",
                entry.HostLocation);
        }

        private void CheckNameLength(string bootfsName, SourceLocation location)
        {
            if (_options.Target is ManifestTarget.Rofs or ManifestTarget.Zfs)
            {
                return;
            }

            int bytes = System.Text.Encoding.UTF8.GetByteCount(bootfsName);
            if (bytes <= ManifestLineParser.MaxBootfsNameBytes)
            {
                return;
            }

            DiagnosticSeverity severity = _options.Target == ManifestTarget.Bootfs ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
            _diagnostics.Add(new Diagnostic(ManifestCodes.NameTooLong, severity,
                $"The bootfs name '{bootfsName}' is {bytes} bytes long in UTF-8, more than the {ManifestLineParser.MaxBootfsNameBytes} bytes a bootfs (ramfs) record holds, and OSv's mkbootfs.py would cut it silently; shorten the path or use ROFS or ZFS.",
                location));
        }
    }
}
