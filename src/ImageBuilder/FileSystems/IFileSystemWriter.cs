using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.FileSystems;

/// <summary>Writes an <see cref="ImagePlan"/> as the bytes of one filesystem (a partition's content).</summary>
public interface IFileSystemWriter
{
    /// <summary>Gets the filesystem this writer produces.</summary>
    FileSystemKind Kind { get; }

    /// <summary>
    /// Writes the filesystem for <paramref name="plan"/> into <paramref name="destination"/>, starting at
    /// position 0 of that stream, which is the first byte of the partition.
    /// </summary>
    /// <param name="plan">The guest tree to write; host files are read as they are copied.</param>
    /// <param name="destination">A writable, seekable stream for the partition.</param>
    /// <param name="options">The partition size limit and the reproducibility settings.</param>
    /// <param name="diagnostics">Receives problems with the plan, such as names over the format's limit.</param>
    /// <param name="cancellationToken">Stops the write between blocks.</param>
    /// <returns>The number of bytes of the partition, or -1 when errors were reported and nothing usable was written.</returns>
    long Write(ImagePlan plan, Stream destination, FileSystemWriteOptions options, DiagnosticBag diagnostics, CancellationToken cancellationToken = default);
}
