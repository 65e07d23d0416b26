using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Compilation;

/// <summary>
/// Assigns each <c>Compile</c> item its object and dependency file and selects the ones that need compiling:
/// an object is stale when it is missing, when its dependency file is missing or unreadable, when its
/// per-source options changed, or when the source, a header listed in the dependency file, or one of the
/// additional inputs is newer than it (or gone).
/// </summary>
/// <remarks>
/// The headers come from the <c>.d</c> file gcc wrote with <c>-MMD</c> during the previous compile, so a
/// header that a source starts to include is listed from the compile that added the <c>#include</c> on.
/// </remarks>
public sealed partial class ComputeOsvCompileItems : Microsoft.Build.Utilities.Task
{
    /// <summary>Creates the task with its message resources.</summary>
    public ComputeOsvCompileItems()
        : base(Strings.ResourceManager)
    {
    }

    /// <inheritdoc/>
    public override bool Execute()
    {
        string objectDirectory = Path.GetFullPath(ObjectDirectory, ProjectDirectory);
        var compileItems = new List<ITaskItem>(Sources.Length);
        var staleItems = new List<ITaskItem>();
        var objectOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        DateTime newestAdditionalInput = NewestWriteTime(AdditionalInputs, ProjectDirectory, out string? newestAdditionalPath);

        foreach (ITaskItem source in Sources)
        {
            // Which compiler, and where the object goes.
            SourceLanguage? language = SourceLanguages.Find(source.ItemSpec, source.GetMetadata(SourceLanguages.MetadataName));
            if (language is null)
            {
                Log.LogErrorWithCodeFromResources(null, source.ItemSpec, 0, 0, 0, 0,
                    nameof(Strings.UnknownSourceLanguage), source.ItemSpec, Path.GetExtension(source.ItemSpec));
                continue;
            }

            string objectFile = ObjectPaths.ForSource(source, ProjectDirectory, objectDirectory);
            if (objectOwners.TryGetValue(objectFile, out string? owner))
            {
                Log.LogErrorWithCodeFromResources(null, source.ItemSpec, 0, 0, 0, 0,
                    nameof(Strings.DuplicateObjectFile), owner, source.ItemSpec, objectFile);
                continue;
            }

            objectOwners.Add(objectFile, source.ItemSpec);
            var item = new TaskItem(source);
            item.SetMetadata("ObjectFile", objectFile);
            item.SetMetadata("DependencyFile", Path.ChangeExtension(objectFile, ".d"));
            item.SetMetadata(SourceLanguages.MetadataName, language == SourceLanguage.C ? "C" : "Cxx");
            compileItems.Add(item);

            // Whether it must be compiled again.
            string? reason = FindStaleReason(item, newestAdditionalInput, newestAdditionalPath);
            if (reason is not null)
            {
                Log.LogMessageFromResources(MessageImportance.Low, nameof(Strings.SourceIsStale), source.ItemSpec, reason);
                staleItems.Add(item);
            }
        }

        CompileItems = [.. compileItems];
        StaleItems = [.. staleItems];
        ObjectFiles = [.. compileItems.Select(i => new TaskItem(i.GetMetadata("ObjectFile")))];
        return !Log.HasLoggedErrors;
    }

    // Returns why the object of a source is stale, or null when it is up to date.
    private string? FindStaleReason(TaskItem item, DateTime newestAdditionalInput, string? newestAdditionalPath)
    {
        string objectFile = item.GetMetadata("ObjectFile");
        string dependencyFile = item.GetMetadata("DependencyFile");
        var objectInfo = new FileInfo(objectFile);
        if (!objectInfo.Exists)
        {
            return $"'{objectFile}' does not exist";
        }

        DateTime objectTime = objectInfo.LastWriteTimeUtc;
        if (newestAdditionalInput > objectTime)
        {
            return $"'{newestAdditionalPath}' is newer than '{objectFile}'";
        }

        if (!File.Exists(dependencyFile))
        {
            return $"'{dependencyFile}' does not exist";
        }

        string optionsFile = ItemOptionsFile.PathFor(objectFile);
        IReadOnlyList<string> inputs;
        try
        {
            if (!File.Exists(optionsFile) || File.ReadAllText(optionsFile) != ItemOptionsFile.ContentFor(item))
            {
                return $"its Language or AdditionalOptions metadata differs from '{optionsFile}'";
            }

            inputs = MakeDependencyFile.ReadPrerequisites(dependencyFile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"'{dependencyFile}' or '{optionsFile}' could not be read ({exception.Message})";
        }

        // The source itself is the first prerequisite gcc writes, but check it even if the file was edited.
        foreach (string input in inputs.Prepend(item.GetMetadata("FullPath")))
        {
            var inputInfo = new FileInfo(Path.GetFullPath(input, ProjectDirectory));
            if (!inputInfo.Exists)
            {
                return $"'{input}' no longer exists";
            }

            if (inputInfo.LastWriteTimeUtc > objectTime)
            {
                return $"'{input}' is newer than '{objectFile}'";
            }
        }

        return null;
    }

    // Returns the newest write time of the files; a missing file counts as infinitely new.
    private static DateTime NewestWriteTime(ITaskItem[] files, string projectDirectory, out string? newestPath)
    {
        DateTime newest = DateTime.MinValue;
        newestPath = null;
        foreach (ITaskItem file in files)
        {
            var info = new FileInfo(Path.GetFullPath(file.ItemSpec, projectDirectory));
            DateTime time = info.Exists ? info.LastWriteTimeUtc : DateTime.MaxValue;
            if (time > newest)
            {
                newest = time;
                newestPath = file.ItemSpec;
            }
        }

        return newest;
    }
}
