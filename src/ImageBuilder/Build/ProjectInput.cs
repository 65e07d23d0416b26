using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;
using Osv.Plan;

namespace Osv.ImageBuilder.Build;

/// <summary>What the pipeline needs from a project, whether it came from osv.yaml or from a bare manifest.</summary>
internal sealed record ProjectInput
{
    /// <summary>Gets the image name, for example <c>event-echo</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the expanded guest tree.</summary>
    public required ImagePlan Plan { get; init; }

    /// <summary>Gets the command line, or null when the project gives none.</summary>
    public string? CommandLine { get; init; }

    /// <summary>Gets the project's filesystem, or null for the default.</summary>
    public FileSystemKind? FileSystem { get; init; }

    /// <summary>Gets the project's container format, or null for the default.</summary>
    public ContainerFormat? Format { get; init; }

    /// <summary>Gets the project's virtual disk size in bytes, or null for the default.</summary>
    public long? ImageSize { get; init; }

    /// <summary>Gets the project's kernel bundle folder, or null for none.</summary>
    public string? KernelBundlePath { get; init; }

    /// <summary>Gets the folder the project writes its image to.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Gets the host folders searched first for the libraries that DT_NEEDED entries name.</summary>
    public IReadOnlyList<string> LibraryPaths { get; init; } = [];

    /// <summary>Gets whether libraries missing from the image are added from the host.</summary>
    public bool AddMissingLibraries { get; init; } = true;

    /// <summary>Gets whether the project turns on the SPDX SBOM beside the image.</summary>
    public bool WriteSbom { get; init; }

    /// <summary>Gets the project files read (osv.yaml, manifests), for the dependency file.</summary>
    public required IReadOnlyList<string> InputFiles { get; init; }
}
