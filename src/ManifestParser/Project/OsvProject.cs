using Osv.Diagnostics;
using Osv.Manifests.Parse;
using Osv.Plan;

namespace Osv.Manifests.Project;

/// <summary>
/// An osv.yaml project: what goes into the image, how the image is stored, and what OSv runs at boot.
/// Paths are absolute; <see cref="OsvProjectLoader"/> resolves the relative paths of osv.yaml against the
/// project file's folder.
/// </summary>
public sealed class OsvProject
{
    /// <summary>The image size when osv.yaml gives none: 512 MiB, as OSv's scripts/build uses.</summary>
    public const long DefaultImageSize = 512L * 1024 * 1024;

    /// <summary>Gets the absolute path of the osv.yaml file.</summary>
    public required string ProjectFile { get; init; }

    /// <summary>Gets the folder of the project file, which relative paths in it are relative to.</summary>
    public string ProjectDirectory => Path.GetDirectoryName(ProjectFile) ?? "/";

    /// <summary>Gets the project name; the folder's name when osv.yaml gives none.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Gets the kernel: a kernel bundle folder or a boot image (loader.img), as an absolute path, or null when
    /// osv.yaml names none and the front end picks its default. The loader does not check that it exists.
    /// </summary>
    public string? Kernel { get; init; }

    /// <summary>Gets where osv.yaml names the kernel, for diagnostics about it.</summary>
    public SourceLocation? KernelLocation { get; init; }

    /// <summary>Gets the filesystem of the image; <see cref="ProjectFileSystem.Rofs"/> by default.</summary>
    public ProjectFileSystem FileSystem { get; init; } = ProjectFileSystem.Rofs;

    /// <summary>Gets the container format of the image; <see cref="ImageFormat.Qcow2"/> by default.</summary>
    public ImageFormat Format { get; init; } = ImageFormat.Qcow2;

    /// <summary>Gets the virtual size of the disk image in bytes, a multiple of 512; <see cref="DefaultImageSize"/> by default.</summary>
    public long ImageSize { get; init; } = DefaultImageSize;

    /// <summary>Gets what OSv runs at boot, or null when osv.yaml has no <c>command</c>.</summary>
    public ProjectCommand? Command { get; init; }

    /// <summary>Gets the manifests to include, in order.</summary>
    public IReadOnlyList<ProjectManifest> Manifests { get; init; } = [];

    /// <summary>Gets the extra files, added after the manifests in osv.yaml's order.</summary>
    public IReadOnlyList<ExtraFile> Files { get; init; } = [];

    /// <summary>Gets the extra empty guest directories, added after the files.</summary>
    public IReadOnlyList<ExtraDirectory> Directories { get; init; } = [];

    /// <summary>Gets the host folders searched for shared libraries that objects in the image need, in order.</summary>
    public IReadOnlyList<string> LibraryPaths { get; init; } = [];

    /// <summary>Gets whether shared libraries missing from the image are added from the host; true by default.</summary>
    public bool AddMissingLibraries { get; init; } = true;

    /// <summary>Gets the absolute folder the image and its reports are written to; <c>out</c> beside osv.yaml by default.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Gets whether an SPDX SBOM is written beside the image; false by default.</summary>
    public bool Sbom { get; init; }

    /// <summary>Gets the manifest target that matches <see cref="FileSystem"/>.</summary>
    public ManifestTarget ManifestTarget => FileSystem switch
    {
        ProjectFileSystem.Zfs => ManifestTarget.Zfs,
        ProjectFileSystem.Ramfs => ManifestTarget.Bootfs,
        _ => ManifestTarget.Rofs,
    };

    /// <summary>
    /// Builds the image plan: every manifest read and expanded in order, then the extra files, then the
    /// extra directories. Problems become diagnostics; entries with errors are left out of the plan.
    /// </summary>
    /// <param name="diagnostics">Receives the problems of the manifests and of the host files.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="diagnostics"/> is null.</exception>
    public ImagePlan BuildPlan(DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        return ProjectPlanBuilder.Build(this, diagnostics);
    }

    /// <summary>
    /// Formats the command line OSv gets, without the <c>--rootfs=</c> option the image builder adds:
    /// kernel options, <c>--env=</c> and <c>--cwd=</c> options, then the program and its arguments quoted
    /// as OSv's core/commands.cc parses them.
    /// </summary>
    /// <param name="diagnostics">Receives values that OSv's parser cannot carry (OSV1011).</param>
    /// <returns>The command line, or null when there is no command or a value cannot be carried.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="diagnostics"/> is null.</exception>
    public string? BuildCommandLine(DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        return Command is null ? null : OsvCommandLine.Format(Command, diagnostics);
    }
}
