namespace Osv.Diagnostics;

/// <summary>
/// A position in an input file: a manifest line, an osv.yaml node, or just a file such as an ELF object.
/// </summary>
/// <param name="File">The path of the file as the user named it.</param>
/// <param name="Line">The 1-based line, or 0 when the location is the whole file.</param>
/// <param name="Column">The 1-based column, or 0 when only the line is known.</param>
public readonly record struct SourceLocation(string File, int Line = 0, int Column = 0)
{
    /// <summary>Formats the location as <c>file:line:column</c>, leaving out the parts that are unknown.</summary>
    public override string ToString()
    {
        if (Line <= 0)
        {
            return File;
        }

        return Column <= 0 ? $"{File}:{Line}" : $"{File}:{Line}:{Column}";
    }
}
