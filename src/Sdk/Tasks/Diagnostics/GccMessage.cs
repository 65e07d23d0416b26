namespace Osv.Sdk.Tasks.Diagnostics;

/// <summary>One line of compiler or linker output, split into its parts.</summary>
/// <param name="Kind">What the line is.</param>
/// <param name="Text">The message without the location and kind prefix, or the whole line for <see cref="GccMessageKind.Other"/>.</param>
/// <param name="File">The source or object file the line names, or null when it names none.</param>
/// <param name="Line">The 1-based line, or 0 when unknown.</param>
/// <param name="Column">The 1-based column, or 0 when unknown.</param>
/// <param name="Option">The option that controls the diagnostic, for example <c>-Wunused-variable</c>, or null.</param>
/// <param name="FromLinker">True when ld (directly or through collect2) printed the line.</param>
internal sealed record GccMessage(
    GccMessageKind Kind,
    string Text,
    string? File = null,
    int Line = 0,
    int Column = 0,
    string? Option = null,
    bool FromLinker = false);
