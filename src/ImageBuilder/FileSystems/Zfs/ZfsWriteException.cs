using Osv.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>Stops a pool write on a problem with the input; the <see cref="ZfsWriter"/> reports its diagnostic.</summary>
internal sealed class ZfsWriteException : Exception
{
    /// <summary>Creates the exception for <paramref name="diagnostic"/>.</summary>
    public ZfsWriteException(Diagnostic diagnostic, Exception? innerException = null)
        : base(diagnostic.Message, innerException)
    {
        Diagnostic = diagnostic;
    }

    /// <summary>Gets the finding to report.</summary>
    public Diagnostic Diagnostic { get; }
}
