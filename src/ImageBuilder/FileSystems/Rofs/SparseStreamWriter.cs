using System.Diagnostics;

namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>
/// Writes to a seekable stream and seeks over runs of zero bytes that lie past the stream's end,
/// so a file stream keeps them as holes. Runs inside data already written are written as usual,
/// because seeking over them would keep the old bytes.
/// </summary>
/// <remarks>
/// The destination must read the bytes it skipped as zeros once it is extended, as <see cref="FileStream"/>
/// and <see cref="MemoryStream"/> do. <see cref="Complete"/> extends the stream over a trailing run.
/// </remarks>
internal sealed class SparseStreamWriter
{
    // Runs shorter than this are written: seeking over a few bytes saves nothing and file
    // systems allocate in blocks of 4 KiB.
    private const int HoleGranularity = 4096;

    private readonly Stream _destination;
    private long _writtenEnd;

    public SparseStreamWriter(Stream destination)
    {
        Debug.Assert(destination.CanSeek && destination.CanWrite, "The destination must be seekable and writable.");
        _destination = destination;
        _writtenEnd = destination.Length;
    }

    /// <summary>Gets the position of the next byte to write.</summary>
    public long Position => _destination.Position;

    /// <summary>Writes <paramref name="data"/>, seeking over zero runs past the written end.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            int length = Math.Min(data.Length, HoleGranularity);
            ReadOnlySpan<byte> piece = data[..length];
            long position = _destination.Position;
            if (position >= _writtenEnd && !piece.ContainsAnyExcept((byte)0))
            {
                // Gather the whole zero run so that one seek covers it.
                int zeros = length;
                while (zeros < data.Length)
                {
                    int next = Math.Min(data.Length - zeros, HoleGranularity);
                    if (data.Slice(zeros, next).ContainsAnyExcept((byte)0))
                    {
                        break;
                    }

                    zeros += next;
                }

                _destination.Seek(zeros, SeekOrigin.Current);
                data = data[zeros..];
                continue;
            }

            // Write everything up to the next zero run that starts at a granularity boundary.
            int dataLength = length;
            while (dataLength < data.Length)
            {
                int next = Math.Min(data.Length - dataLength, HoleGranularity);
                if (!data.Slice(dataLength, next).ContainsAnyExcept((byte)0) && position + dataLength >= _writtenEnd)
                {
                    break;
                }

                dataLength += next;
            }

            _destination.Write(data[..dataLength]);
            _writtenEnd = Math.Max(_writtenEnd, position + dataLength);
            data = data[dataLength..];
        }
    }

    /// <summary>Writes <paramref name="count"/> zero bytes, as a hole when they lie past the written end.</summary>
    public void WriteZeros(long count)
    {
        Debug.Assert(count >= 0, "The count of zero bytes must not be negative.");
        long position = _destination.Position;
        if (position >= _writtenEnd)
        {
            _destination.Seek(count, SeekOrigin.Current);
            return;
        }

        Span<byte> zeros = stackalloc byte[RofsLayout.BlockSize];
        zeros.Clear();
        while (count > 0)
        {
            int length = (int)Math.Min(count, zeros.Length);
            _destination.Write(zeros[..length]);
            count -= length;
        }

        _writtenEnd = Math.Max(_writtenEnd, _destination.Position);
    }

    /// <summary>Extends the destination over a trailing hole so its length covers everything written.</summary>
    public void Complete()
    {
        long end = _destination.Position;
        if (end > _destination.Length)
        {
            _destination.SetLength(end);
        }

        _writtenEnd = Math.Max(_writtenEnd, end);
    }
}
