using System.Buffers;
using System.Text;

namespace Osv.ImageBuilder.Assemble;

/// <summary>
/// The kernel command line in the boot image: a NUL-terminated string at byte 512 that arch/x64/boot16.S
/// loads with the 63 sectors after the boot sector, as scripts/imgedit.py setargs writes it.
/// </summary>
public static class BootCommandLine
{
    /// <summary>The offset of the command line on x86-64 disks.</summary>
    public const long DefaultOffset = 512;

    /// <summary>The room for the command line on x86-64, including the NUL: 63 sectors.</summary>
    public const long DefaultMaxBytes = 63 * 512;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the NUL-terminated command line at <paramref name="offset"/> of <paramref name="disk"/>.</summary>
    /// <param name="disk">A readable, seekable stream of the disk.</param>
    /// <param name="offset">The offset of the command line, 512 on x86-64.</param>
    /// <param name="maxBytes">The room for it, including the NUL.</param>
    /// <returns>The command line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="disk"/> is null.</exception>
    /// <exception cref="InvalidImageException">No NUL ends the string inside the area, or it is not UTF-8.</exception>
    public static string Read(Stream disk, long offset = DefaultOffset, long maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        int area = (int)Math.Min(maxBytes, Math.Max(0, disk.Length - offset));
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Math.Max(area, 1));
        try
        {
            disk.Position = offset;
            disk.ReadExactly(bytes, 0, area);
            int end = Array.IndexOf(bytes, (byte)0, 0, area);
            if (end < 0)
            {
                throw new InvalidImageException($"The command line at byte {offset} has no terminating NUL within {maxBytes} bytes.");
            }

            return StrictUtf8.GetString(bytes, 0, end);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidImageException($"The command line at byte {offset} is not valid UTF-8.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    // Overwrites the old command line with zeros, then writes the new one and its NUL. imgedit.py
    // leaves the tail of a longer old command line in place; clearing it keeps the output independent
    // of what the boot image held.
    internal static void Write(Stream disk, long offset, long maxBytes, byte[] commandLine)
    {
        int area = (int)maxBytes;
        byte[] bytes = ArrayPool<byte>.Shared.Rent(area);
        try
        {
            disk.Position = offset;
            int read = disk.ReadAtLeast(bytes.AsSpan(0, area), area, throwOnEndOfStream: false);
            int oldEnd = Array.IndexOf(bytes, (byte)0, 0, read);
            int clear = oldEnd < 0 ? read : oldEnd;
            Array.Clear(bytes, 0, Math.Max(clear, commandLine.Length + 1));
            commandLine.CopyTo(bytes, 0);
            disk.Position = offset;
            disk.Write(bytes, 0, Math.Max(clear, commandLine.Length + 1));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
