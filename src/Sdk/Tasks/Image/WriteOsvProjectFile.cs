using System.Text;
using Microsoft.Build.Framework;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Image;

/// <summary>
/// Writes the osv.yaml that stands for the MSBuild project's image properties and items, so the image build
/// reads the same project format as <c>dotnet osv build</c>. The file is rewritten only when its content
/// changes, which makes its time stamp an input of the image: a changed property rebuilds the image, and an
/// unchanged project leaves it alone.
/// </summary>
/// <remarks>
/// Values are written as given, because the image build validates them. It reports a problem at the
/// generated line, and the BuildOsvImage task maps that line back to the property or item named in its comment.
/// </remarks>
public sealed partial class WriteOsvProjectFile : Microsoft.Build.Utilities.Task
{
    /// <summary>Creates the task with its message resources.</summary>
    public WriteOsvProjectFile()
        : base(Strings.ResourceManager)
    {
    }

    /// <inheritdoc/>
    public override bool Execute()
    {
        if (!ArgumentSplitter.TrySplit(Arguments, out List<string> arguments))
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.UnclosedQuoteInArguments), Arguments);
            return false;
        }

        string text = Render(arguments);
        string path = Path.GetFullPath(OutputFile);
        try
        {
            if (File.Exists(path) && File.ReadAllText(path) == text)
            {
                Changed = false;
                return true;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            Changed = true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.OutputNotWritable), path, exception.Message);
            return false;
        }

        return true;
    }

    // Renders the document; the keys and their meaning are osv.yaml's (docs/osv-yaml.md).
    private string Render(List<string> arguments)
    {
        string projectDirectory = Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!;
        var document = new GeneratedProjectFile(ProjectFile);

        document.Scalar(0, "name", ProjectName, "OsvTargetName");
        document.Scalar(0, "output", Path.GetFullPath(OutputDirectory, projectDirectory), "OutputPath");
        if (KernelBundle.Length > 0)
        {
            document.Scalar(0, "kernel", Path.GetFullPath(KernelBundle, projectDirectory), "OsvKernelBundle");
        }

        if (FileSystem.Length > 0)
        {
            document.Scalar(0, "filesystem", FileSystem.Trim().ToLowerInvariant(), "OsvFileSystem");
        }

        if (ImageFormat.Length > 0 || ImageSize.Length > 0)
        {
            document.Key(0, "image");
            if (ImageFormat.Length > 0)
            {
                document.Scalar(1, "format", ImageFormat.Trim().ToLowerInvariant(), "OsvImageFormat");
            }

            if (ImageSize.Length > 0)
            {
                document.Scalar(1, "size", ImageSize.Trim(), "OsvImageSize");
            }
        }

        RenderCommand(document, arguments);
        RenderManifests(document, projectDirectory);

        if (Files.Length > 0)
        {
            document.Key(0, "files");
            foreach (ITaskItem file in Files)
            {
                string origin = file.GetMetadata("Origin") is { Length: > 0 } named ? named : $"OsvFile '{file.ItemSpec}'";
                document.Scalar(1, GuestPathOf(file), Path.GetFullPath(file.ItemSpec, projectDirectory), origin);
            }
        }

        RenderList(document, "directories", Directories, "OsvDirectory");
        RenderList(document, "library_paths", LibraryPaths.Select(p => Path.GetFullPath(p, projectDirectory)), "OsvLibraryPath");

        if (AddMissingLibraries.Length > 0)
        {
            document.Boolean(0, "add_missing_libraries", !string.Equals(AddMissingLibraries.Trim(), "false", StringComparison.OrdinalIgnoreCase), "OsvAddMissingLibraries");
        }

        return document.Text;
    }

    private void RenderCommand(GeneratedProjectFile document, List<string> arguments)
    {
        if (Program.Length == 0)
        {
            return;
        }

        document.Key(0, "command");
        document.Scalar(1, "program", Program.Trim(), "OsvProgram");

        if (arguments.Count > 0 || ArgumentItems.Length > 0)
        {
            document.Key(1, "arguments");
            foreach (string argument in arguments)
            {
                document.Item(2, argument, "OsvArguments");
            }

            foreach (ITaskItem argument in ArgumentItems)
            {
                document.Item(2, argument.ItemSpec, "OsvArgument");
            }
        }

        if (Environment.Length > 0)
        {
            document.Key(1, "environment");
            foreach (ITaskItem variable in Environment)
            {
                document.Scalar(2, variable.ItemSpec, variable.GetMetadata("Value"), $"OsvEnvironment '{variable.ItemSpec}'");
            }
        }

        if (WorkingDirectory.Length > 0)
        {
            document.Scalar(1, "working_directory", WorkingDirectory.Trim(), "OsvWorkingDirectory");
        }

        RenderList(document, "kernel_options", KernelOptions, "OsvKernelOptions", level: 1);
    }

    private void RenderManifests(GeneratedProjectFile document, string projectDirectory)
    {
        if (Manifests.Length == 0)
        {
            return;
        }

        document.Key(0, "manifests");
        foreach (ITaskItem manifest in Manifests)
        {
            string origin = $"OsvManifest '{manifest.ItemSpec}'";
            document.ItemScalar(1, "path", Path.GetFullPath(manifest.ItemSpec, projectDirectory), origin);
            string baseDirectory = manifest.GetMetadata("Base");
            if (baseDirectory.Length > 0)
            {
                document.Scalar(2, "base", Path.GetFullPath(baseDirectory, projectDirectory), origin + " Base");
            }

            RenderPairs(document, "definitions", manifest.GetMetadata("Definitions"), origin + " Definitions");
            RenderPairs(document, "variables", manifest.GetMetadata("Variables"), origin + " Variables");
        }
    }

    // Writes NAME=VALUE;NAME=VALUE metadata as a mapping; a pair without '=' gets an empty value.
    private static void RenderPairs(GeneratedProjectFile document, string key, string pairs, string origin)
    {
        string[] items = pairs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            return;
        }

        document.Key(2, key);
        foreach (string item in items)
        {
            int equals = item.IndexOf('=', StringComparison.Ordinal);
            (string name, string value) = equals < 0 ? (item, string.Empty) : (item[..equals], item[(equals + 1)..]);
            document.Scalar(3, name, value, origin);
        }
    }

    private static void RenderList(GeneratedProjectFile document, string key, IEnumerable<string> values, string origin, int level = 0)
    {
        List<string> items = values.Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        if (items.Count == 0)
        {
            return;
        }

        document.Key(level, key);
        foreach (string item in items)
        {
            document.Item(level + 1, item, origin);
        }
    }

    // GuestPath metadata, with a leading '/' added when missing; /FILENAME when there is none.
    private static string GuestPathOf(ITaskItem file)
    {
        string guestPath = file.GetMetadata("GuestPath").Trim();
        if (guestPath.Length == 0)
        {
            guestPath = Path.GetFileName(file.ItemSpec);
        }

        return guestPath.StartsWith('/') ? guestPath : "/" + guestPath;
    }
}
