using Osv.ImageBuilder.FileSystems;
using Osv.Manifests.Project;

namespace Osv.ImageBuilder.Build;

/// <summary>What <see cref="ImageBuild.Run"/> builds and where it writes it.</summary>
public sealed record ImageBuildRequest
{
    /// <summary>
    /// Gets the project to build: an osv.yaml file, a folder that contains one, or an OSv usr.manifest
    /// (then <see cref="CommandLine"/> is required).
    /// </summary>
    public required string ProjectPath { get; init; }

    /// <summary>
    /// Gets a project the caller has already loaded with <see cref="OsvProjectLoader"/>; when set, it is
    /// built instead of reading <see cref="ProjectPath"/>, which then only names the project in messages.
    /// </summary>
    public OsvProject? Project { get; init; }

    /// <summary>
    /// Gets the folder that receives the image and the side outputs, overriding the project's; it is
    /// created when missing. Default: the project's <c>output</c>, else <c>out</c> beside the project file.
    /// </summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Gets the image's file name without extension, or null to use the project's name.</summary>
    public string? ImageName { get; init; }

    /// <summary>Gets the OSv command line, overriding the project's, for example <c>/hello.so</c>.</summary>
    public string? CommandLine { get; init; }

    /// <summary>Gets the filesystem, overriding the project's; ROFS when neither sets it.</summary>
    public FileSystemKind? FileSystem { get; init; }

    /// <summary>Gets the container format name (raw, qcow2 or vmdk), overriding the project's; raw when neither sets it.</summary>
    public string? Format { get; init; }

    /// <summary>Gets the virtual size of the disk in bytes, overriding the project's, or null for the default.</summary>
    public long? ImageSize { get; init; }

    /// <summary>
    /// Gets the kernel bundle folder (made by <c>dotnet osv kernel import</c>), overriding the project's;
    /// null with no bundle in the project writes a kernel-less disk that boots with an external kernel.
    /// </summary>
    public string? KernelBundlePath { get; init; }

    /// <summary>Gets the manifest variables (<c>-D NAME=VALUE</c> in OSv's scripts), overriding the project's.</summary>
    public IReadOnlyDictionary<string, string> Defines { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the time stored in the image and the SBOM, in seconds since the Unix epoch (SOURCE_DATE_EPOCH).</summary>
    public long SourceDateEpoch { get; init; }

    /// <summary>Gets whether to run every check without writing the image or any side output.</summary>
    public bool CheckOnly { get; init; }

    /// <summary>Gets whether to write the JSON report next to the image.</summary>
    public bool WriteReport { get; init; } = true;

    /// <summary>
    /// Gets whether to write the SPDX SBOM next to the image. Off by default: SPDX 2.3 needs the SHA-1 of
    /// every file beside the SHA-256 of the report, which costs about as much CPU time as writing the image.
    /// </summary>
    public bool WriteSbom { get; init; }

    /// <summary>Gets whether to write the make-style dependency file next to the image.</summary>
    public bool WriteDependencyFile { get; init; } = true;

    /// <summary>Gets the receiver of progress updates, or null.</summary>
    public IProgress<BuildProgress>? Progress { get; init; }

    /// <summary>Gets the token that stops the build; a stopped build leaves no partial image.</summary>
    public CancellationToken CancellationToken { get; init; }
}
