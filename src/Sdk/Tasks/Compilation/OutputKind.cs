namespace Osv.Sdk.Tasks.Compilation;

/// <summary>What the link step produces; OSv runs both kinds (core/elf.cc loads ET_DYN objects and calls main).</summary>
internal enum OutputKind
{
    /// <summary>A shared object: sources compiled with <c>-fPIC</c>, linked with <c>-shared</c>.</summary>
    SharedObject,

    /// <summary>A position-independent executable: sources compiled with <c>-fPIE</c>, linked with <c>-pie</c>.</summary>
    Pie,
}

/// <summary>Reads the <c>OsvOutputKind</c> property.</summary>
internal static class OutputKinds
{
    /// <summary>Parses <c>SharedObject</c> or <c>Pie</c> (any case); an empty value is <see cref="OutputKind.SharedObject"/>.</summary>
    /// <param name="value">The property value.</param>
    /// <param name="kind">The parsed kind.</param>
    /// <returns>False when the value names no kind.</returns>
    public static bool TryParse(string value, out OutputKind kind)
    {
        switch (value.Trim().ToUpperInvariant())
        {
            case "" or "SHAREDOBJECT" or "SHARED":
                kind = OutputKind.SharedObject;
                return true;
            case "PIE":
                kind = OutputKind.Pie;
                return true;
            default:
                kind = OutputKind.SharedObject;
                return false;
        }
    }
}
