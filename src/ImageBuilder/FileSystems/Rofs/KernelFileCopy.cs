using Microsoft.Win32.SafeHandles;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>
/// Copies host files into a ROFS partition that lies in a file, with copy_file_range: the kernel moves the
/// bytes from page cache to page cache, one copy where a read and a write through a buffer make two.
/// Holes of large sparse host files are skipped, so they stay holes in the image.
/// </summary>
/// <remarks>
/// ROFS images must equal gen-rofs-img.py's byte for byte, and this path writes the same bytes as the
/// buffered one. Only the allocation differs: the buffered path leaves every 4 KiB run of zeros as a
/// hole, this one only the holes of host files of 1 MiB or more, to within 64 KiB.
/// </remarks>
internal sealed class KernelFileCopy
{
    // The largest copy asked of the kernel at once, so that cancellation is seen between pieces.
    private const int PieceSize = 8 << 20;

    // The unit in which a piece that is partly a hole is copied, so that holes stay holes to within 64 KiB.
    private const int HoleGranularity = 64 << 10;

    private readonly SafeFileHandle _destination;
    private readonly WindowStream _window;
    private readonly long _windowStart;
    private bool _refused;

    private KernelFileCopy(SafeFileHandle destination, WindowStream window, long windowStart)
    {
        _destination = destination;
        _window = window;
        _windowStart = windowStart;
    }

    /// <summary>Returns a copier when <paramref name="destination"/> is a partition window over a file on Linux, else null.</summary>
    public static KernelFileCopy? For(Stream destination)
    {
        if (!FileRangeCopy.IsAvailable || destination is not WindowStream window || !window.TryGetFile(out FileStream? file, out long start))
        {
            return null;
        }

        file.Flush();
        return new KernelFileCopy(file.SafeFileHandle, window, start);
    }

    /// <summary>
    /// Copies the whole of <paramref name="source"/> to the output's position and moves the output past it.
    /// Returns the bytes copied, or null when the kernel refused the first copy; the caller then copies
    /// through a buffer, and so do all later calls.
    /// </summary>
    /// <exception cref="WindowFullException">The file does not fit in the partition.</exception>
    /// <exception cref="IOException">The file could not be read, or it shrank while it was copied.</exception>
    public long? TryCopy(SafeFileHandle source, SparseStreamWriter output, CancellationToken cancellationToken)
    {
        if (_refused)
        {
            return null;
        }

        long length = RandomAccess.GetLength(source);
        long position = output.Position;
        if (position + length > _window.Capacity)
        {
            throw new WindowFullException($"Writing {length} bytes at offset {position} goes past the end of the {_window.Capacity}-byte partition.");
        }

        var holes = new HoleFinder(source, length);
        bool copiedAny = false;
        long done = 0;
        while (done < length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int piece = (int)Math.Min(PieceSize, length - done);
            if (holes.IsHole(done, piece))
            {
                output.SkipHole(piece);
                done += piece;
                continue;
            }

            // Copy the runs of data in the piece and skip its holes.
            int offset = 0;
            while (offset < piece)
            {
                int unit = Math.Min(HoleGranularity, piece - offset);
                if (holes.IsHole(done + offset, unit))
                {
                    output.SkipHole(unit);
                    offset += unit;
                    continue;
                }

                int run = unit;
                while (offset + run < piece && !holes.IsHole(done + offset + run, Math.Min(HoleGranularity, piece - offset - run)))
                {
                    run += Math.Min(HoleGranularity, piece - offset - run);
                }

                if (!Copy(source, done + offset, position + done + offset, run, copiedAny))
                {
                    // Only holes were passed over, so nothing was written: the caller starts the file again.
                    output.SkipHole(position - output.Position);
                    return null;
                }

                copiedAny = true;
                output.Advance(run);
                offset += run;
            }

            done += piece;
        }

        return length;
    }

    // Copies one run; returns false when the kernel refused the file's first copy.
    private bool Copy(SafeFileHandle source, long sourceOffset, long partitionOffset, int length, bool copiedBefore)
    {
        bool copied;
        try
        {
            copied = FileRangeCopy.TryCopy(source, sourceOffset, _destination, _windowStart + partitionOffset, length);
        }
        catch (EndOfStreamException exception)
        {
            throw new IOException($"The file became shorter while it was copied: {exception.Message}", exception);
        }

        if (copied)
        {
            return true;
        }

        if (copiedBefore)
        {
            throw new IOException("copy_file_range stopped working in the middle of a file.");
        }

        _refused = true;
        return false;
    }
}
