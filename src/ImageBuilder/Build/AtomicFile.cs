using System.Globalization;

namespace Osv.ImageBuilder.Build;

/// <summary>
/// Writes an output file through a temporary file in the same folder and renames it into place only
/// when the content is complete and flushed, so a failed or cancelled build never leaves a partial
/// file under the final name. The rename replaces an older file of that name atomically (rename(2)).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Gets the prefix of temporary files, so that they can be recognised and cleaned up.</summary>
    public const string TemporaryPrefix = ".osv-tmp-";

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>.</summary>
    /// <param name="path">The final file path.</param>
    /// <param name="write">Writes the content; it may throw, and then nothing is left behind.</param>
    /// <exception cref="IOException">Writing, flushing or renaming failed, for example because the disk is full.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public static void Write(string path, Action<FileStream> write)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string temporary = Path.Combine(directory, TemporaryPrefix + Path.GetFileName(path) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);

                // Hand every byte to the kernel before the rename. Filesystems report a full disk at
                // write(2) time (ext4 reserves delayed blocks, tmpfs allocates at once), so no fsync
                // is needed to see ENOSPC here, and fsync would double the time of a large image.
                stream.Flush(flushToDisk: false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Deletes <paramref name="path"/> when it exists and ignores failures; used on cleanup paths only.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Cleanup is best effort: the original error is the one to report.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
