using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Compilation;

/// <summary>
/// The file beside an object that records the per-source settings it was compiled with (the language and
/// the <c>AdditionalOptions</c> metadata), so that changing them makes only that object stale.
/// </summary>
internal static class ItemOptionsFile
{
    /// <summary>Returns the path of the options file of an object file.</summary>
    /// <param name="objectFile">The object file.</param>
    public static string PathFor(string objectFile) => Path.ChangeExtension(objectFile, ".options");

    /// <summary>Returns the text recorded for a compile item, as <see cref="ComputeOsvCompileItems"/> returns it.</summary>
    /// <param name="item">An item with the <c>Language</c> metadata set.</param>
    public static string ContentFor(ITaskItem item) =>
        $"Language={item.GetMetadata(SourceLanguages.MetadataName)}\nAdditionalOptions={item.GetMetadata("AdditionalOptions").Trim()}\n";
}
