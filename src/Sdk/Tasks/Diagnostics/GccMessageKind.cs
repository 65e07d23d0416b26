namespace Osv.Sdk.Tasks.Diagnostics;

/// <summary>What one line of gcc, g++ or ld output is.</summary>
internal enum GccMessageKind
{
    /// <summary>A line that matches no known shape: source context, a hint, or a tool's plain output.</summary>
    Other,

    /// <summary>An error (<c>error:</c> or <c>fatal error:</c>, or an ld failure such as a missing library).</summary>
    Error,

    /// <summary>A warning.</summary>
    Warning,

    /// <summary>A note that explains the diagnostic before it.</summary>
    Note,

    /// <summary>
    /// A line that says where the next diagnostic happens, such as <c>main.c: In function 'main':</c> or
    /// <c>In file included from a.h:3,</c>.
    /// </summary>
    Context,

    /// <summary>
    /// A closing line that repeats that an earlier step failed, such as
    /// <c>collect2: error: ld returned 1 exit status</c> or <c>compilation terminated.</c>
    /// </summary>
    Summary,
}
