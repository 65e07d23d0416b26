using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Compilation;

public sealed partial class LinkOsvObjects
{
    /// <summary>The objects to link, in link order.</summary>
    [Required]
    public ITaskItem[] ObjectFiles { get; set; } = [];

    /// <summary>The shared object or executable to write. Ex: <c>bin/Debug/hello.so</c>.</summary>
    [Required]
    public string OutputFile { get; set; } = string.Empty;

    /// <summary><c>SharedObject</c> (link with <c>-shared</c>, the default) or <c>Pie</c> (link with <c>-pie</c>).</summary>
    public string OutputKind { get; set; } = string.Empty;

    /// <summary>The compiler driver that links C-only projects. Ex: <c>gcc</c>.</summary>
    public string CCompiler { get; set; } = "gcc";

    /// <summary>The compiler driver that links projects with C++ sources, so libstdc++ is linked. Ex: <c>g++</c>.</summary>
    public string CxxCompiler { get; set; } = "g++";

    /// <summary>Whether any source is C++, which selects <see cref="CxxCompiler"/>.</summary>
    public bool HasCxxSources { get; set; }

    /// <summary>Flags that make the output one diagnostic a line. Ex: <c>-fdiagnostics-plain-output</c>.</summary>
    public string DiagnosticFlags { get; set; } = string.Empty;

    /// <summary>Flags passed to the link as written. Ex: <c>-Wl,--as-needed</c>.</summary>
    public string LinkFlags { get; set; } = string.Empty;

    /// <summary>Folders searched for libraries (<c>-L</c>).</summary>
    public string[] LibraryPaths { get; set; } = [];

    /// <summary>
    /// Libraries to link: a name is passed as <c>-lNAME</c>, and a path (one with a slash, or ending in
    /// <c>.a</c> or <c>.so</c>) is passed as a file. Ex: <c>event;m;lib/libextra.a</c>.
    /// </summary>
    public string[] Libraries { get; set; } = [];
}
