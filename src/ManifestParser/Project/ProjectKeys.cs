namespace Osv.Manifests.Project;

/// <summary>
/// The keys osv.yaml defines, for each mapping. osv.schema.json must define the same keys; a test
/// compares the two.
/// </summary>
internal static class ProjectKeys
{
    public const string Name = "name";
    public const string Kernel = "kernel";
    public const string FileSystem = "filesystem";
    public const string Image = "image";
    public const string Command = "command";
    public const string Manifests = "manifests";
    public const string Files = "files";
    public const string Directories = "directories";
    public const string LibraryPaths = "library_paths";
    public const string AddMissingLibraries = "add_missing_libraries";
    public const string Output = "output";
    public const string Sbom = "sbom";

    public const string ImageFormat = "format";
    public const string ImageSize = "size";

    public const string Program = "program";
    public const string Arguments = "arguments";
    public const string Environment = "environment";
    public const string WorkingDirectory = "working_directory";
    public const string KernelOptions = "kernel_options";

    public const string ManifestPath = "path";
    public const string ManifestDefinitions = "definitions";
    public const string ManifestVariables = "variables";
    public const string ManifestBase = "base";

    /// <summary>The keys of the top-level mapping.</summary>
    public static readonly IReadOnlyList<string> Root =
        [Name, Kernel, FileSystem, Image, Command, Manifests, Files, Directories, LibraryPaths, AddMissingLibraries, Output, Sbom];

    /// <summary>The keys of <c>image</c>.</summary>
    public static readonly IReadOnlyList<string> ImageMapping = [ImageFormat, ImageSize];

    /// <summary>The keys of <c>command</c>.</summary>
    public static readonly IReadOnlyList<string> CommandMapping = [Program, Arguments, Environment, WorkingDirectory, KernelOptions];

    /// <summary>The keys of one item of <c>manifests</c> in its mapping form.</summary>
    public static readonly IReadOnlyList<string> ManifestMapping = [ManifestPath, ManifestDefinitions, ManifestVariables, ManifestBase];
}
