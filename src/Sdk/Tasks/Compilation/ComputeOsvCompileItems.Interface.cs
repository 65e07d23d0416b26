using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Compilation;

public sealed partial class ComputeOsvCompileItems
{
    /// <summary>
    /// The <c>Compile</c> items. Optional metadata: <c>Language</c> (<c>C</c> or <c>C++</c>, else chosen
    /// from the extension) and <c>ObjectFile</c> (else derived from the source path).
    /// </summary>
    [Required]
    public ITaskItem[] Sources { get; set; } = [];

    /// <summary>The project folder, which relative source paths are relative to. Ex: <c>$(MSBuildProjectDirectory)</c>.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>
    /// The folder for object and dependency files, for example <c>obj/Debug/objects/</c>. Relative paths are
    /// relative to the project folder.
    /// </summary>
    [Required]
    public string ObjectDirectory { get; set; } = string.Empty;

    /// <summary>
    /// Files whose change makes every object stale, for example the file that records the compiler flags
    /// (<c>obj/Debug/osv.compile.flags</c>).
    /// </summary>
    public ITaskItem[] AdditionalInputs { get; set; } = [];

    /// <summary>
    /// Every source with the metadata <c>ObjectFile</c>, <c>DependencyFile</c> and <c>Language</c>
    /// (<c>C</c> or <c>Cxx</c>) set, in the order given.
    /// </summary>
    [Output]
    public ITaskItem[] CompileItems { get; set; } = [];

    /// <summary>The subset of <see cref="CompileItems"/> whose object is missing or older than one of its inputs.</summary>
    [Output]
    public ITaskItem[] StaleItems { get; set; } = [];

    /// <summary>The object file of every source, in the order given, which is the order they are linked in.</summary>
    [Output]
    public ITaskItem[] ObjectFiles { get; set; } = [];
}
