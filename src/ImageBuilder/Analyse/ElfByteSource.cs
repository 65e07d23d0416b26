using Microsoft.Win32.SafeHandles;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Random access to the bytes of one ELF file, so the reader fetches only the ranges it decodes (the
/// headers, the dynamic section, the dynamic symbols and version tables) and never the whole file.
/// </summary>
internal abstract class ElfByteSource : IDisposable
{
    /// <summary>Gets the length of the content in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; the range must lie inside the content.</summary>
    /// <exception cref="ElfFormatException">The content ended early (a file that shrank while it was read).</exception>
    public abstract void Read(long offset, Span<byte> destination);

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the file handle, if any.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Opens a host file for reading.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read with the current rights.</exception>
    public static ElfByteSource OpenFile(string path) => new FileSource(path);

    /// <summary>Wraps bytes already in memory.</summary>
    public static ElfByteSource FromMemory(ReadOnlyMemory<byte> content) => new MemorySource(content);

    // Reads with pread (RandomAccess), so no stream position or buffer is kept between reads.
    private sealed class FileSource : ElfByteSource
    {
        private readonly SafeFileHandle _handle;

        public FileSource(string path)
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Length = RandomAccess.GetLength(_handle);
        }

        public override long Length { get; }

        public override void Read(long offset, Span<byte> destination)
        {
            while (!destination.IsEmpty)
            {
                int read = RandomAccess.Read(_handle, destination, offset);
                if (read == 0)
                {
                    throw new ElfFormatException($"the file ended at byte {offset} while {destination.Length} more bytes were expected; it may have changed while it was read");
                }

                destination = destination[read..];
                offset += read;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _handle.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    // Serves fuzz tests and callers that already hold the bytes.
    private sealed class MemorySource(ReadOnlyMemory<byte> content) : ElfByteSource
    {
        public override long Length => content.Length;

        public override void Read(long offset, Span<byte> destination)
        {
            content.Span.Slice(checked((int)offset), destination.Length).CopyTo(destination);
        }
    }
}
