using Osv.Diagnostics;
using Osv.Plan;
using YamlDotNet.RepresentationModel;

namespace Osv.Manifests.Project;

/// <summary>
/// Loads an osv.yaml project file into an <see cref="OsvProject"/>, reporting unknown keys (with the
/// closest known key), wrong types, invalid values and invalid sizes with their line and column.
/// </summary>
/// <remarks>
/// Loading checks the file itself; it does not check that the kernel, manifests or host files exist,
/// because <see cref="OsvProject.BuildPlan"/> and the image builder report those with the locations the
/// project keeps. docs/osv-yaml.md describes the keys, and Project/osv.schema.json is their JSON Schema.
/// </remarks>
public static class OsvProjectLoader
{
    /// <summary>The largest project file read, in bytes.</summary>
    public const long MaxFileSize = 16L * 1024 * 1024;

    /// <summary>The output folder, relative to the project folder, when osv.yaml names none.</summary>
    public const string DefaultOutputDirectory = "out";

    /// <summary>Loads the project file at <paramref name="path"/>.</summary>
    /// <param name="path">The osv.yaml file.</param>
    /// <param name="diagnostics">Receives every problem found, as OSV1xxx diagnostics.</param>
    /// <returns>The project, or null when the file has errors.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static OsvProject? Load(string path, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);

        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileSize)
            {
                diagnostics.Error(ProjectCodes.UnreadableProject,
                    $"The project file is {info.Length} bytes long, more than {MaxFileSize}; check that '{path}' is an osv.yaml file.",
                    new SourceLocation(path));
                return null;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            diagnostics.Error(ProjectCodes.UnreadableProject,
                $"The project file '{path}' cannot be read: {exception.Message} Check the path and its permissions.",
                new SourceLocation(path));
            return null;
        }

        return LoadText(text, path, diagnostics);
    }

    /// <summary>Loads a project from YAML text, as if it were the file at <paramref name="path"/>.</summary>
    /// <param name="yaml">The osv.yaml text.</param>
    /// <param name="path">The path the text belongs to; relative paths in it are relative to its folder.</param>
    /// <param name="diagnostics">Receives every problem found, as OSV1xxx diagnostics.</param>
    /// <returns>The project, or null when the text has errors.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static OsvProject? LoadText(string yaml, string path, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);

        if (!YamlText.TryLoad(yaml, out YamlStream stream, out string? problem, out int line, out int column))
        {
            diagnostics.Error(ProjectCodes.InvalidYaml,
                $"The project file is not valid YAML: {problem} Fix the syntax at this position.",
                new SourceLocation(path, line, column));
            return null;
        }

        if (stream.Documents.Count != 1)
        {
            diagnostics.Error(ProjectCodes.InvalidDocument,
                stream.Documents.Count == 0
                    ? "The project file is empty; write at least 'command:' with a 'program:', or 'manifests:'."
                    : $"The project file holds {stream.Documents.Count} YAML documents; keep one, without '---' separators between projects.",
                new SourceLocation(path, 1, 1));
            return null;
        }

        string fullPath = Path.GetFullPath(path);
        var reader = new ProjectReader(fullPath, new YamlValueReader(path, diagnostics));
        return reader.Read(stream.Documents[0].RootNode);
    }

    // Reads one document; keeps the values read so far and returns null at the end when any error was reported.
    private sealed class ProjectReader
    {
        private readonly string _fullPath;
        private readonly string _directory;
        private readonly YamlValueReader _yaml;

        public ProjectReader(string fullPath, YamlValueReader yaml)
        {
            _fullPath = fullPath;
            _directory = Path.GetDirectoryName(fullPath) ?? "/";
            _yaml = yaml;
        }

        public OsvProject? Read(YamlNode root)
        {
            if (root is not YamlMappingNode)
            {
                _yaml.Error(ProjectCodes.InvalidDocument,
                    $"The top level of osv.yaml must be a mapping of keys such as name, command and manifests, not {YamlValueReader.Describe(root)}.",
                    root);
                return null;
            }

            var entries = _yaml.ReadMapping(root, ProjectKeys.Root, "osv.yaml") ?? [];
            string name = Path.GetFileName(_directory);
            string? kernel = null;
            SourceLocation? kernelLocation = null;
            var fileSystem = ProjectFileSystem.Rofs;
            var format = ImageFormat.Qcow2;
            long size = OsvProject.DefaultImageSize;
            ProjectCommand? command = null;
            List<ProjectManifest> manifests = [];
            List<ExtraFile> files = [];
            List<ExtraDirectory> directories = [];
            List<string> libraryPaths = [];
            bool addMissingLibraries = true;
            bool sbom = false;
            string output = Path.GetFullPath(Path.Combine(_directory, DefaultOutputDirectory));

            foreach ((string key, YamlNode keyNode, YamlNode value) in entries)
            {
                switch (key)
                {
                    case ProjectKeys.Name:
                        name = ReadName(value) ?? name;
                        break;
                    case ProjectKeys.Kernel:
                        kernel = ReadHostPath(value, "'kernel'");
                        kernelLocation = _yaml.Locate(value);
                        break;
                    case ProjectKeys.FileSystem:
                        fileSystem = ReadEnum(value, "'filesystem'", [("rofs", ProjectFileSystem.Rofs), ("zfs", ProjectFileSystem.Zfs), ("ramfs", ProjectFileSystem.Ramfs)]) ?? fileSystem;
                        break;
                    case ProjectKeys.Image:
                        (format, size) = ReadImage(value, format, size);
                        break;
                    case ProjectKeys.Command:
                        command = ReadCommand(value);
                        break;
                    case ProjectKeys.Manifests:
                        manifests = ReadManifests(value);
                        break;
                    case ProjectKeys.Files:
                        files = ReadFiles(value);
                        break;
                    case ProjectKeys.Directories:
                        directories = ReadDirectories(value);
                        break;
                    case ProjectKeys.LibraryPaths:
                        libraryPaths = (_yaml.ReadStringList(value, "'library_paths'") ?? []).Select(item => ResolveHostPath(item.Value)).ToList();
                        break;
                    case ProjectKeys.AddMissingLibraries:
                        addMissingLibraries = _yaml.ReadBool(value, "'add_missing_libraries'") ?? addMissingLibraries;
                        break;
                    case ProjectKeys.Output:
                        output = ReadHostPath(value, "'output'") ?? output;
                        break;
                    case ProjectKeys.Sbom:
                        sbom = _yaml.ReadBool(value, "'sbom'") ?? sbom;
                        break;
                    default:
                        // ReadMapping passes only known keys, and every known key has a case above.
                        throw new InvalidOperationException($"The key '{key}' at {_yaml.Locate(keyNode)} has no reader.");
                }
            }

            if (_yaml.HasErrors)
            {
                return null;
            }

            return new OsvProject
            {
                ProjectFile = _fullPath,
                Name = name,
                Kernel = kernel,
                KernelLocation = kernelLocation,
                FileSystem = fileSystem,
                Format = format,
                ImageSize = size,
                Command = command,
                Manifests = manifests,
                Files = files,
                Directories = directories,
                LibraryPaths = libraryPaths,
                AddMissingLibraries = addMissingLibraries,
                OutputDirectory = output,
                Sbom = sbom,
            };
        }

        private string? ReadName(YamlNode node)
        {
            string? name = _yaml.ReadString(node, "'name'");
            if (name is not null && name.Trim().Length == 0)
            {
                _yaml.Error(ProjectCodes.MissingValue, "'name' is blank; give the project a name such as hello, or remove the key to use the folder's name.", node);
                return null;
            }

            return name;
        }

        private (ImageFormat Format, long Size) ReadImage(YamlNode node, ImageFormat format, long size)
        {
            var entries = _yaml.ReadMapping(node, ProjectKeys.ImageMapping, "'image'");
            foreach ((string key, _, YamlNode value) in entries ?? [])
            {
                if (key == ProjectKeys.ImageFormat)
                {
                    format = ReadEnum(value, "'image.format'", [("raw", ImageFormat.Raw), ("qcow2", ImageFormat.Qcow2), ("vmdk", ImageFormat.Vmdk)]) ?? format;
                }
                else if (_yaml.ReadString(value, "'image.size'") is { } text)
                {
                    if (ImageSizeParser.TryParse(text, out long bytes, out string? error))
                    {
                        size = bytes;
                    }
                    else
                    {
                        _yaml.Error(ProjectCodes.InvalidSize, error!, value);
                    }
                }
            }

            return (format, size);
        }

        private ProjectCommand? ReadCommand(YamlNode node)
        {
            var entries = _yaml.ReadMapping(node, ProjectKeys.CommandMapping, "'command'");
            if (entries is null)
            {
                return null;
            }

            string? program = null;
            List<string> arguments = [];
            List<KeyValuePair<string, string>> environment = [];
            string? workingDirectory = null;
            List<string> kernelOptions = [];
            bool hasProgram = false;
            foreach ((string key, _, YamlNode value) in entries)
            {
                switch (key)
                {
                    case ProjectKeys.Program:
                        hasProgram = true;
                        program = _yaml.ReadString(value, "'command.program'");
                        break;
                    case ProjectKeys.Arguments:
                        arguments = (_yaml.ReadStringList(value, "'command.arguments'") ?? []).Select(item => item.Value).ToList();
                        break;
                    case ProjectKeys.Environment:
                        environment = (_yaml.ReadStringMap(value, "'command.environment'") ?? [])
                            .Select(pair => new KeyValuePair<string, string>(pair.Key, pair.Value)).ToList();
                        break;
                    case ProjectKeys.WorkingDirectory:
                        workingDirectory = ReadGuestPath(value, "'command.working_directory'");
                        break;
                    default:
                        kernelOptions = (_yaml.ReadStringList(value, "'command.kernel_options'") ?? []).Select(item => item.Value).ToList();
                        break;
                }
            }

            if (program is null)
            {
                if (!hasProgram)
                {
                    _yaml.Error(ProjectCodes.MissingValue, "'command' has no 'program'; name the program to run, such as /hello.so.", node);
                }

                return null;
            }

            return new ProjectCommand
            {
                Program = program,
                Arguments = arguments,
                Environment = environment,
                WorkingDirectory = workingDirectory,
                KernelOptions = kernelOptions,
                Location = _yaml.Locate(node),
            };
        }

        // Each item is a path, or a mapping with path, definitions, variables and base.
        private List<ProjectManifest> ReadManifests(YamlNode node)
        {
            var manifests = new List<ProjectManifest>();
            if (node is not YamlSequenceNode sequence)
            {
                _yaml.Error(ProjectCodes.WrongType, $"'manifests' must be a list of manifest paths or mappings, not {YamlValueReader.Describe(node)}.", node);
                return manifests;
            }

            foreach (YamlNode item in sequence.Children)
            {
                if (item is YamlScalarNode)
                {
                    if (ReadHostPath(item, "an item of 'manifests'") is { } path)
                    {
                        manifests.Add(NewManifest(path, [], [], null, item));
                    }

                    continue;
                }

                var entries = _yaml.ReadMapping(item, ProjectKeys.ManifestMapping, "an item of 'manifests'");
                if (entries is null)
                {
                    continue;
                }

                string? manifestPath = null;
                List<(string, string, YamlNode)> definitions = [];
                List<(string, string, YamlNode)> variables = [];
                string? baseDirectory = null;
                bool hasPath = false;
                foreach ((string key, _, YamlNode value) in entries)
                {
                    switch (key)
                    {
                        case ProjectKeys.ManifestPath:
                            hasPath = true;
                            manifestPath = ReadHostPath(value, "'path'");
                            break;
                        case ProjectKeys.ManifestDefinitions:
                            definitions = _yaml.ReadStringMap(value, "'definitions'") ?? [];
                            break;
                        case ProjectKeys.ManifestVariables:
                            variables = _yaml.ReadStringMap(value, "'variables'") ?? [];
                            break;
                        default:
                            baseDirectory = ReadHostPath(value, "'base'");
                            break;
                    }
                }

                if (manifestPath is null)
                {
                    if (!hasPath)
                    {
                        _yaml.Error(ProjectCodes.MissingValue, "The manifest item has no 'path'; give the manifest file's path.", item);
                    }

                    continue;
                }

                manifests.Add(NewManifest(manifestPath, definitions, variables, baseDirectory, item));
            }

            return manifests;
        }

        // MODULE_DIR defaults to the manifest's folder, as module.py sets it to the module's folder.
        private ProjectManifest NewManifest(string path, List<(string Key, string Value, YamlNode Node)> definitions, List<(string Key, string Value, YamlNode Node)> variables, string? baseDirectory, YamlNode node)
        {
            string folder = Path.GetDirectoryName(path) ?? _directory;
            var definitionMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string key, string value, _) in definitions)
            {
                definitionMap[key] = value;
            }

            var variableMap = new Dictionary<string, string>(StringComparer.Ordinal) { ["MODULE_DIR"] = folder };
            foreach ((string key, string value, _) in variables)
            {
                variableMap[key] = value;
            }

            return new ProjectManifest(path, definitionMap, variableMap, baseDirectory ?? folder, _yaml.Locate(node));
        }

        private List<ExtraFile> ReadFiles(YamlNode node)
        {
            var files = new List<ExtraFile>();
            foreach ((string guest, string host, YamlNode keyNode) in _yaml.ReadStringMap(node, "'files'") ?? [])
            {
                if (NormalizeGuestPath(guest, keyNode) is { } guestPath)
                {
                    files.Add(new ExtraFile(guestPath, ResolveHostPath(host), _yaml.Locate(keyNode)));
                }
            }

            return files;
        }

        private List<ExtraDirectory> ReadDirectories(YamlNode node)
        {
            var directories = new List<ExtraDirectory>();
            foreach ((string guest, YamlNode item) in _yaml.ReadStringList(node, "'directories'") ?? [])
            {
                if (NormalizeGuestPath(guest, item) is { } guestPath)
                {
                    directories.Add(new ExtraDirectory(guestPath, _yaml.Locate(item)));
                }
            }

            return directories;
        }

        private string? ReadGuestPath(YamlNode node, string what) =>
            _yaml.ReadString(node, what) is { } text ? NormalizeGuestPath(text, node) : null;

        private string? NormalizeGuestPath(string text, YamlNode node)
        {
            if (GuestPaths.TryNormalize(text, out string normalized, out string? error))
            {
                return normalized;
            }

            _yaml.Error(ProjectCodes.InvalidGuestPath, error!, node);
            return null;
        }

        private string? ReadHostPath(YamlNode node, string what)
        {
            string? text = _yaml.ReadString(node, what);
            if (text is null)
            {
                return null;
            }

            if (text.Trim().Length == 0 || text.Contains('\0', StringComparison.Ordinal))
            {
                _yaml.Error(ProjectCodes.MissingValue, $"{what} is blank or contains NUL; give a host path, relative to the folder of osv.yaml.", node);
                return null;
            }

            return ResolveHostPath(text);
        }

        private string ResolveHostPath(string text) => Path.GetFullPath(Path.Combine(_directory, text));

        private T? ReadEnum<T>(YamlNode node, string what, (string Name, T Value)[] values)
            where T : struct, Enum
        {
            string? text = _yaml.ReadString(node, what);
            if (text is null)
            {
                return null;
            }

            foreach ((string name, T value) in values)
            {
                if (name == text)
                {
                    return value;
                }
            }

            string names = string.Join(", ", values.Select(value => value.Name));
            string hint = values.Any(value => string.Equals(value.Name, text, StringComparison.OrdinalIgnoreCase))
                ? $"write it in lower case: {text.ToLowerInvariant()}"
                : $"use one of {names}";
            _yaml.Error(ProjectCodes.InvalidEnumValue, $"'{text}' is not a valid value for {what}; {hint}.", node);
            return null;
        }
    }
}
