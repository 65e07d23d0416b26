using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Compilation;

public sealed partial class CompileOsvSource
{
    /// <summary>
    /// The source to compile, as <see cref="ComputeOsvCompileItems"/> returns it: with the metadata
    /// <c>ObjectFile</c>, <c>DependencyFile</c> and <c>Language</c> (<c>C</c> or <c>Cxx</c>), and optionally
    /// <c>AdditionalOptions</c> for flags that apply to this source only.
    /// </summary>
    [Required]
    public ITaskItem? Source { get; set; }

    /// <summary>The C compiler. Ex: <c>gcc</c>, <c>/usr/bin/gcc-12</c>.</summary>
    public string CCompiler { get; set; } = "gcc";

    /// <summary>The C++ compiler. Ex: <c>g++</c>.</summary>
    public string CxxCompiler { get; set; } = "g++";

    /// <summary><c>SharedObject</c> (compile with <c>-fPIC</c>, the default) or <c>Pie</c> (compile with <c>-fPIE</c>).</summary>
    public string OutputKind { get; set; } = string.Empty;

    /// <summary>
    /// Flags that make the output one diagnostic a line, which the output parser expects.
    /// Ex: <c>-fdiagnostics-plain-output</c>.
    /// </summary>
    public string DiagnosticFlags { get; set; } = string.Empty;

    /// <summary>Flags for every source, passed as written. Ex: <c>-O2 -g -Wall</c>.</summary>
    public string CompileFlags { get; set; } = string.Empty;

    /// <summary>Flags for C sources only. Ex: <c>-std=gnu11</c>.</summary>
    public string CFlags { get; set; } = string.Empty;

    /// <summary>Flags for C++ sources only. Ex: <c>-std=gnu++17</c>.</summary>
    public string CxxFlags { get; set; } = string.Empty;

    /// <summary>Preprocessor definitions, each <c>NAME</c> or <c>NAME=VALUE</c>. Ex: <c>NDEBUG;VERSION=2</c>.</summary>
    public string[] DefineConstants { get; set; } = [];

    /// <summary>Folders searched for <c>#include</c> files (<c>-I</c>).</summary>
    public string[] IncludePaths { get; set; } = [];

    /// <summary>
    /// Folders searched as system headers (<c>-isystem</c>), such as the OSv API headers of the kernel bundle,
    /// so their warnings do not show up as the project's.
    /// </summary>
    public string[] SystemIncludePaths { get; set; } = [];
}
