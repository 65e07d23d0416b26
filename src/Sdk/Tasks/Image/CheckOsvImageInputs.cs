using Microsoft.Build.Framework;
using Osv.Sdk.Tasks.Compilation;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Image;

/// <summary>
/// Decides whether the image must be built again: it is up to date when it exists and every input, and
/// every file and folder of the dependency file from its last build, exists and is not newer than it.
/// </summary>
/// <remarks>
/// A task rather than target Inputs and Outputs, because the dependency file lists folders (a file added
/// to a copied tree changes the folder's time), which MSBuild's own check does not compare.
/// </remarks>
public sealed partial class CheckOsvImageInputs : Microsoft.Build.Utilities.Task
{
    /// <summary>Creates the task with its message resources.</summary>
    public CheckOsvImageInputs()
        : base(Strings.ResourceManager)
    {
    }

    /// <inheritdoc/>
    public override bool Execute()
    {
        string? reason = FindStaleReason();
        IsUpToDate = reason is null;
        if (reason is null)
        {
            Log.LogMessageFromResources(MessageImportance.Normal, nameof(Strings.ImageUpToDate), ImageFile);
        }
        else
        {
            Log.LogMessageFromResources(MessageImportance.Low, nameof(Strings.ImageIsStale), ImageFile, reason);
        }

        return true;
    }

    // Returns why the image must be built, or null when it is up to date.
    private string? FindStaleReason()
    {
        var image = new FileInfo(Path.GetFullPath(ImageFile, ProjectDirectory));
        if (!image.Exists)
        {
            return $"'{image.FullName}' does not exist";
        }

        string dependencyFile = Path.GetFullPath(DependencyFile, ProjectDirectory);
        if (!File.Exists(dependencyFile))
        {
            return $"'{dependencyFile}' does not exist";
        }

        IReadOnlyList<string> listed;
        try
        {
            listed = MakeDependencyFile.ReadPrerequisites(dependencyFile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"'{dependencyFile}' could not be read: {exception.Message}";
        }

        DateTime imageTime = image.LastWriteTimeUtc;
        foreach (string input in Inputs.Select(i => i.ItemSpec).Concat(listed))
        {
            string path = Path.GetFullPath(input, ProjectDirectory);
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists)
            {
                return $"'{path}' no longer exists";
            }

            if (info.LastWriteTimeUtc > imageTime)
            {
                return $"'{path}' is newer than the image";
            }
        }

        return null;
    }
}
