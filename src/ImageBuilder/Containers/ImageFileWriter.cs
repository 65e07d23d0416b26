using System.Globalization;
using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;

namespace Osv.ImageBuilder.Containers;

/// <summary>
/// Writes a disk image file atomically: the disk is assembled into a sparse temporary file next to the
/// target, converted to the container format when that is not raw, and renamed over the target only when
/// complete. On any failure the temporary files are deleted and the target is left as it was.
/// </summary>
/// <remarks>
/// A raw image is written once: the temporary raw disk is the result. So is an uncompressed qcow2
/// image, whose clusters are allocated as the assembler writes them (<see cref="Qcow2WriteStream"/>).
/// A compressed qcow2 or a VMDK image reads the temporary disk once more, and only the ranges where
/// the assembler wrote data.
/// </remarks>
public static class ImageFileWriter
{
    private static int _counter;

    /// <summary>Assembles the disk for <paramref name="layout"/> and writes it to <paramref name="targetPath"/>.</summary>
    /// <param name="layout">The kernel, command line, filesystem, plan and size.</param>
    /// <param name="targetPath">The image file to create or replace; its folder must exist.</param>
    /// <param name="format">The container format.</param>
    /// <param name="options">The compression and timestamp settings; null for the defaults.</param>
    /// <param name="diagnostics">Receives the errors of every stage, including OSV4008 when a file cannot be written.</param>
    /// <param name="cancellationToken">Stops the write; the target is then left as it was.</param>
    /// <returns>The layout that was written, or null when errors were reported.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="format"/> is not a defined value.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static AssembledDisk? Write(DiskLayout layout, string targetPath, ContainerFormat format, ContainerOptions? options, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(targetPath);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentException($"Unknown container format {format}.", nameof(format));
        }

        options ??= new ContainerOptions();
        string target = Path.GetFullPath(targetPath);
        string folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
        {
            diagnostics.Error(DiskDiagnosticCodes.WriteFailed, $"The output folder '{folder}' does not exist; create it first.");
            return null;
        }

        AssembledDisk? disk = null;
        bool written;
        string kind = format.ToString().ToLowerInvariant();
        string failure = $"Writing the image '{target}' failed";
        if (format == ContainerFormat.Raw)
        {
            // The temporary raw disk becomes the image.
            written = ReplaceAtomically(target, kind, failure, diagnostics, temporary =>
            {
                using var raw = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
                disk = DiskAssembler.Assemble(layout, raw, diagnostics, cancellationToken);
                return disk is not null;
            });
        }
        else if (format == ContainerFormat.Qcow2 && !options.Compress)
        {
            // The disk is assembled straight into the qcow2 file, in one pass.
            written = ReplaceAtomically(target, kind, failure, diagnostics, temporary =>
            {
                using var container = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 20);
                using var virtualDisk = new Qcow2WriteStream(container, layout.VirtualSize - (layout.VirtualSize % MbrLayout.SectorSize));
                disk = DiskAssembler.Assemble(layout, virtualDisk, diagnostics, cancellationToken);
                if (disk is null)
                {
                    return false;
                }

                virtualDisk.Complete();
                return true;
            });
        }
        else
        {
            // Compression reads the assembled raw disk back, cluster by cluster.
            written = ReplaceAtomically(target, kind, failure, diagnostics, temporary =>
            {
                string rawTemporary = TemporaryPath(target, "raw");
                try
                {
                    using var raw = new FileStream(rawTemporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
                    disk = DiskAssembler.Assemble(layout, raw, diagnostics, cancellationToken);
                    if (disk is null)
                    {
                        return false;
                    }

                    using var container = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 20);
                    WriteContainer(raw, disk, container, format, Path.GetFileName(target), options, cancellationToken);
                    return true;
                }
                finally
                {
                    DeleteQuietly(rawTemporary);
                }
            });
        }

        return written ? disk : null;
    }

    /// <summary>Converts the raw disk file <paramref name="rawPath"/> to <paramref name="targetPath"/> atomically.</summary>
    /// <param name="rawPath">A raw disk image.</param>
    /// <param name="targetPath">The image file to create or replace.</param>
    /// <param name="format">The container format.</param>
    /// <param name="options">The compression and timestamp settings; null for the defaults.</param>
    /// <param name="diagnostics">Receives OSV4008 when a file cannot be read or written.</param>
    /// <param name="cancellationToken">Stops the conversion; the target is then left as it was.</param>
    /// <returns>True when the image was written.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static bool Convert(string rawPath, string targetPath, ContainerFormat format, ContainerOptions? options, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        ArgumentNullException.ThrowIfNull(targetPath);
        ArgumentNullException.ThrowIfNull(diagnostics);
        options ??= new ContainerOptions();
        string target = Path.GetFullPath(targetPath);
        return ReplaceAtomically(target, format.ToString().ToLowerInvariant(), $"Converting '{rawPath}' to '{target}' failed", diagnostics, temporary =>
        {
            using var raw = new FileStream(rawPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            using var container = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 20);
            long size = raw.Length;
            var disk = new AssembledDisk(size, 0, 0, null, ContainerLayout.Whole(size));
            WriteContainer(raw, disk, container, format, Path.GetFileName(target), options, cancellationToken);
            return true;
        });
    }

    // Lets `write` fill a temporary file next to the target and renames it over the target when `write`
    // returns true. A read or write error becomes OSV4008 ("{failure}: {reason}"). The temporary file
    // is gone afterwards in every case, so a failed or cancelled write leaves the target as it was.
    private static bool ReplaceAtomically(string target, string kind, string failure, DiagnosticBag diagnostics, Func<string, bool> write)
    {
        string temporary = TemporaryPath(target, kind);
        try
        {
            if (!write(temporary))
            {
                return false;
            }

            // NOTE: the file is not flushed to stable storage before the rename, so a power loss right
            // after a build can leave an incomplete image. An interrupted process cannot.
            Build.AtomicFile.Replace(temporary, target);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(DiskDiagnosticCodes.WriteFailed, $"{failure}: {exception.Message}");
            return false;
        }
        finally
        {
            DeleteQuietly(temporary);
        }
    }

    // Writes the container form of the raw disk.
    private static void WriteContainer(Stream raw, AssembledDisk disk, Stream container, ContainerFormat format, string fileName, ContainerOptions options, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case ContainerFormat.Qcow2:
                Qcow2Writer.Write(raw, disk.VirtualSize, disk.Extents, container, options.Compress, cancellationToken);
                break;
            case ContainerFormat.Vmdk:
                VmdkWriter.Write(raw, disk.VirtualSize, disk.Extents, container, fileName, options.Timestamp, cancellationToken);
                break;
            default:
                CopySparse(raw, container, disk.VirtualSize, cancellationToken);
                break;
        }
    }

    // Copies a raw disk and keeps its zero ranges as holes.
    private static void CopySparse(Stream raw, Stream container, long size, CancellationToken cancellationToken)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var output = new FileSystems.Rofs.SparseStreamWriter(container);
            raw.Position = 0;
            int read;
            while ((read = raw.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                output.Write(buffer.AsSpan(0, read));
            }

            output.Complete();
            if (container.Length < size)
            {
                container.SetLength(size);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Returns a hidden name next to the target that no other build uses at the same time.
    private static string TemporaryPath(string target, string kind)
    {
        int counter = Interlocked.Increment(ref _counter);
        string name = string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(target)}.{Environment.ProcessId}-{counter}.{kind}.tmp");
        return Path.Combine(Path.GetDirectoryName(target)!, name);
    }

    // Deletes a temporary file; a failure to delete must not hide the error that led here.
    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done; the name starts with '.' and ends with '.tmp' so it is easy to find.
        }
    }
}
