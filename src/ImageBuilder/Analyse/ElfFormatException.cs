namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Raised inside the ELF reader when the bytes contradict the format (a truncated table, an offset past
/// the end of the file, a count that cannot fit); <see cref="ElfFile.TryRead(string, out ElfFile?, out Osv.Diagnostics.Diagnostic?)"/>
/// turns it into a diagnostic, so it never leaves the library.
/// </summary>
internal sealed class ElfFormatException : Exception
{
    public ElfFormatException(string message)
        : base(message)
    {
    }

    public ElfFormatException()
    {
    }

    public ElfFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
