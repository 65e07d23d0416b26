using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.Manifests.Parse;

namespace Osv.ImageBuilder.Kernel.Import;

// Finds the base files OSv's build puts into the usr image of each filesystem. With the source tree it
// reads the usr manifest skeleton that scripts/build chooses: usr_rofs.manifest.skel for rofs and
// usr.manifest.skel for zfs. Without the source tree it uses the skeletons' content of OSv v0.57.0.
internal sealed class BaseFileCollector(string build, string source, string? libgccDirectory, DiagnosticBag diagnostics)
{
    // OSv builds into SOURCE/build/MODE, so "../../" in a skeleton names the source tree. Resolving
    // that prefix against the source tree keeps a build folder that was copied elsewhere usable.
    private const string SourcePrefix = "../../";

    // scripts/build copies the fstab variant of the filesystem into the build folder as "fstab".
    private const string FstabGuestPath = "/etc/fstab";

    private bool _fallbackReported;

    // Returns the base files of one filesystem in the skeleton's order.
    public List<BaseFileSource> Collect(FileSystemKind fileSystem)
    {
        string skeleton = Path.Combine(source, SkeletonName(fileSystem));
        if (File.Exists(skeleton))
        {
            return FromSkeleton(skeleton, fileSystem);
        }

        if (!_fallbackReported)
        {
            _fallbackReported = true;
            diagnostics.Warning(
                KernelDiagnosticCodes.MissingBuildOutput,
                $"'{skeleton}' does not exist, so the base files follow OSv v0.57.0's usr manifest skeletons; give the OSv source tree the build was made from to take them from its own skeletons.",
                new SourceLocation(build));
        }

        return Fallback(fileSystem);
    }

    // The usr manifest skeleton scripts/build passes to module.py for a filesystem.
    private static string SkeletonName(FileSystemKind fileSystem) => fileSystem switch
    {
        FileSystemKind.Rofs => "usr_rofs.manifest.skel",
        FileSystemKind.Ramfs => "usr_ramfs.manifest.skel",
        _ => "usr.manifest.skel",
    };

    // The fstab variant scripts/build copies from static/etc for a filesystem.
    private static string FstabName(FileSystemKind fileSystem) => fileSystem == FileSystemKind.Rofs ? "fstab_rofs" : "fstab";

    // Reads a skeleton and resolves every line as OSv's build does.
    private List<BaseFileSource> FromSkeleton(string skeleton, FileSystemKind fileSystem)
    {
        var definitions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (libgccDirectory is not null)
        {
            definitions["libgcc_s_dir"] = libgccDirectory;
        }

        // The reader reports lines it cannot use (an undefined %(name)s, for example) and skips them.
        // For the bundle that means a missing base file, so its errors become warnings.
        var reader = new ManifestReader(new ManifestReaderOptions { BaseDirectory = build, Definitions = definitions });
        var lineDiagnostics = new DiagnosticBag();
        IReadOnlyList<ManifestEntry> entries = reader.ReadFile(skeleton, lineDiagnostics);
        foreach (Diagnostic diagnostic in lineDiagnostics)
        {
            diagnostics.Add(diagnostic with { Severity = DiagnosticSeverity.Warning });
        }

        var result = new List<BaseFileSource>();
        foreach (ManifestEntry entry in entries)
        {
            if (entry.NormalizedGuestPath is not { } guest)
            {
                continue;
            }

            switch (entry.Kind)
            {
                case ManifestEntryKind.Symlink:
                    result.Add(new BaseFileSource(guest, KernelBaseFileKind.Symlink, LinkTarget: entry.LinkTarget));
                    break;
                case ManifestEntryKind.HostPath or ManifestEntryKind.HostPathNoFollow:
                    string spec = entry.Kind == ManifestEntryKind.HostPathNoFollow ? entry.HostSpec[1..] : entry.HostSpec;
                    string host = ResolveHost(spec);
                    if (guest == FstabGuestPath && host == Path.Combine(build, "fstab"))
                    {
                        host = Path.Combine(source, "static", "etc", FstabName(fileSystem));
                    }

                    if (FromHost(guest, host, entry.Location) is { } file)
                    {
                        result.Add(file);
                    }

                    break;
                default:
                    diagnostics.Warning(
                        KernelDiagnosticCodes.MissingBuildOutput,
                        $"The skeleton line for '{entry.GuestPath}' copies a host tree, which a kernel bundle does not carry; it is skipped.",
                        entry.Location);
                    break;
            }
        }

        return result;
    }

    // Resolves a skeleton's host path: absolute as is, "../../" in the source tree, the rest in the build.
    private string ResolveHost(string spec)
    {
        if (Path.IsPathRooted(spec))
        {
            return spec;
        }

        return spec.StartsWith(SourcePrefix, StringComparison.Ordinal)
            ? Path.Combine(source, spec[SourcePrefix.Length..])
            : Path.Combine(build, spec);
    }

    // Turns a host path into a directory or file entry; a missing host path is reported and skipped.
    private BaseFileSource? FromHost(string guest, string host, SourceLocation? location)
    {
        if (Directory.Exists(host))
        {
            return new BaseFileSource(guest, KernelBaseFileKind.Directory);
        }

        if (!File.Exists(host))
        {
            diagnostics.Warning(
                KernelDiagnosticCodes.MissingBuildOutput,
                $"'{host}' does not exist, so images made with this bundle lack {guest}; build OSv with its default modules, or give the source tree the build was made from.",
                location ?? new SourceLocation(build));
            return null;
        }

        return new BaseFileSource(guest, KernelBaseFileKind.File, HostPath: StrippedVariant(host));
    }

    // Returns the stripped copy OSv's build puts into images instead of a shared object it built
    // (strip_file in scripts/manifest_common.py: .so files under the build folder, modules/ or apps/).
    private string StrippedVariant(string host)
    {
        string full = Path.GetFullPath(host);
        bool builtByOsv = IsUnder(full, build) || IsUnder(full, Path.Combine(source, "modules")) || IsUnder(full, Path.Combine(source, "apps"));
        if (!builtByOsv || !full.EndsWith(".so", StringComparison.Ordinal))
        {
            return full;
        }

        string stripped = full[..^".so".Length] + "-stripped.so";
        if (File.Exists(stripped) && File.GetLastWriteTimeUtc(stripped) >= File.GetLastWriteTimeUtc(full))
        {
            return stripped;
        }

        diagnostics.Warning(
            KernelDiagnosticCodes.MissingBuildOutput,
            $"'{stripped}' is missing or older than '{full}', so the bundle carries the unstripped file; run OSv's build again to refresh it.",
            new SourceLocation(full));
        return full;
    }

    private static bool IsUnder(string path, string folder)
    {
        string prefix = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }

    // The base files of OSv v0.57.0's usr.manifest.skel and usr_rofs.manifest.skel, for a build whose
    // source tree is not at hand: build outputs, libgcc_s, then the built-in profile's /etc files and
    // empty directories (the same text as OSv's static/etc).
    private List<BaseFileSource> Fallback(FileSystemKind fileSystem)
    {
        var result = new List<BaseFileSource>();
        (string Guest, string BuildPath, FileSystemKind[] FileSystems)[] outputs =
        [
            ("/libenviron.so", "libenviron.so", []),
            ("/tools/mount-fs.so", Path.Combine("tools", "mount", "mount-fs.so"), [FileSystemKind.Zfs, FileSystemKind.Ramfs]),
            ("/tools/umount.so", Path.Combine("tools", "mount", "umount.so"), [FileSystemKind.Zfs, FileSystemKind.Ramfs]),
        ];
        foreach ((string guest, string buildPath, FileSystemKind[] fileSystems) in outputs)
        {
            if ((fileSystems.Length == 0 || fileSystems.Contains(fileSystem)) && FromHost(guest, Path.Combine(build, buildPath), null) is { } file)
            {
                result.Add(file);
            }
        }

        if (libgccDirectory is not null && FromHost(OsvBuildFolder.LibgccGuestPath, Path.Combine(libgccDirectory, "libgcc_s.so.1"), null) is { } libgcc)
        {
            result.Add(libgcc);
        }

        foreach (KernelBaseFile generic in KernelBundle.Generic.BaseFilesFor(fileSystem))
        {
            result.Add(generic.Kind switch
            {
                KernelBaseFileKind.Symlink => new BaseFileSource(generic.GuestPath, KernelBaseFileKind.Symlink, LinkTarget: generic.Source),
                KernelBaseFileKind.Directory => new BaseFileSource(generic.GuestPath, KernelBaseFileKind.Directory),
                _ => new BaseFileSource(generic.GuestPath, KernelBaseFileKind.Content, Content: generic.Source),
            });
        }

        return result;
    }
}
