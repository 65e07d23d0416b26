using Osv.Diagnostics;
using Osv.Manifests.Expand;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;
using Osv.Manifests.Parse;
using Osv.Manifests.Project;
using Osv.Plan;

namespace Osv.ImageBuilder.Build;

/// <summary>Reads the project of a request: an osv.yaml file, a folder holding one, or a bare OSv manifest.</summary>
internal static class ProjectLoader
{
    /// <summary>The project file looked for in a folder.</summary>
    public const string ProjectFileName = "osv.yaml";

    /// <summary>Loads and expands the project; returns null when errors were reported.</summary>
    public static ProjectInput? Load(ImageBuildRequest request, DiagnosticBag diagnostics)
    {
        if (request.Project is { } loaded)
        {
            return FromProject(loaded, diagnostics);
        }

        string path = request.ProjectPath;
        if (Directory.Exists(path))
        {
            string inFolder = Path.Combine(path, ProjectFileName);
            if (!File.Exists(inFolder))
            {
                diagnostics.Error(BuildDiagnosticCodes.ProjectNotFound,
                    $"The folder '{path}' has no {ProjectFileName}; create one (see docs/osv-yaml.md) or name a manifest file.",
                    new SourceLocation(path));
                return null;
            }

            path = inFolder;
        }
        else if (!File.Exists(path))
        {
            diagnostics.Error(BuildDiagnosticCodes.ProjectNotFound,
                $"The project file '{path}' does not exist; name an osv.yaml, a folder that holds one, or an OSv usr.manifest.",
                new SourceLocation(path));
            return null;
        }

        return IsYaml(path) ? LoadYaml(path, request, diagnostics) : LoadManifest(path, request, diagnostics);
    }

    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    // A bare manifest, read as OSv's scripts read usr.manifest, with host paths relative to its folder.
    private static ProjectInput? LoadManifest(string path, ImageBuildRequest request, DiagnosticBag diagnostics)
    {
        var reader = new ManifestReader(new ManifestReaderOptions { Definitions = request.Defines });
        IReadOnlyList<ManifestEntry> entries = reader.ReadFile(path, diagnostics);
        if (diagnostics.HasErrors)
        {
            return null;
        }

        ImagePlan plan = new PlanExpander().Expand(entries, diagnostics);
        string name = Path.GetFileNameWithoutExtension(path);
        if (name is "usr" or "")
        {
            name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "image";
        }

        string output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", OsvProjectLoader.DefaultOutputDirectory);
        return new ProjectInput { Name = name, Plan = plan, OutputDirectory = output, InputFiles = [path] };
    }

    // An osv.yaml project: its manifests, files and directories make the plan, its command the command line.
    private static ProjectInput? LoadYaml(string path, ImageBuildRequest request, DiagnosticBag diagnostics)
    {
        OsvProject? project = OsvProjectLoader.Load(path, diagnostics);
        if (project is null)
        {
            return null;
        }

        if (request.Defines.Count > 0)
        {
            diagnostics.Warning(BuildDiagnosticCodes.InvalidSetting,
                "The -D definitions apply to a manifest given as the project and are ignored for osv.yaml; put them under 'definitions' of the manifest in osv.yaml.",
                new SourceLocation(path));
        }

        return FromProject(project, diagnostics);
    }

    // Builds the plan and the command line of a loaded project.
    private static ProjectInput FromProject(OsvProject project, DiagnosticBag diagnostics)
    {
        ImagePlan plan = project.BuildPlan(diagnostics);
        string? commandLine = project.BuildCommandLine(diagnostics);
        return new ProjectInput
        {
            Name = project.Name,
            Plan = plan,
            CommandLine = commandLine,
            FileSystem = project.FileSystem switch
            {
                ProjectFileSystem.Zfs => FileSystemKind.Zfs,
                ProjectFileSystem.Ramfs => FileSystemKind.Ramfs,
                _ => FileSystemKind.Rofs,
            },
            Format = project.Format switch
            {
                ImageFormat.Raw => ContainerFormat.Raw,
                ImageFormat.Vmdk => ContainerFormat.Vmdk,
                _ => ContainerFormat.Qcow2,
            },
            ImageSize = project.ImageSize,
            KernelBundlePath = project.Kernel,
            OutputDirectory = project.OutputDirectory,
            LibraryPaths = project.LibraryPaths,
            AddMissingLibraries = project.AddMissingLibraries,
            WriteSbom = project.Sbom,
            InputFiles = [project.ProjectFile, .. project.Manifests.Select(m => m.Path)],
        };
    }
}
