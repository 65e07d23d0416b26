using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// Finds the holes of a sparse host file with lseek's SEEK_DATA and SEEK_HOLE on Linux, so that the writer
/// skips reading gigabytes of zeros. Where the call is not supported, every range reports data and the writer
/// reads it. All-zero records become holes either way, so the pool is the same.
/// </summary>
internal sealed partial class HoleFinder
{
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int NoMoreData = 6; // ENXIO: no data at or after the offset

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private bool _supported = OperatingSystem.IsLinux();
    private long _dataStart = -1;
    private long _dataEnd = -1;

    /// <summary>Creates a finder for the open file <paramref name="handle"/> of <paramref name="length"/> bytes.</summary>
    public HoleFinder(SafeFileHandle handle, long length)
    {
        _handle = handle;
        _length = length;
    }

    /// <summary>Returns whether [offset, offset + count) is known to hold no data.</summary>
    public bool IsHole(long offset, long count)
    {
        if (!_supported)
        {
            return false;
        }

        // Look up the next data region once the current one is passed.
        if (offset >= _dataEnd)
        {
            long start = Seek(offset, SeekData);
            if (start < 0)
            {
                return false;
            }

            _dataStart = start;
            _dataEnd = start >= _length ? _length : Seek(start, SeekHole);
            if (_dataEnd < 0)
            {
                _dataEnd = _length;
            }
        }

        return offset + count <= _dataStart;
    }

    // Calls lseek; returns the length for "no more data", or -1 (and stops using lseek) when it is not supported.
    private long Seek(long offset, int whence)
    {
        long result = LSeek(_handle, offset, whence);
        if (result >= 0)
        {
            return result;
        }

        if (Marshal.GetLastPInvokeError() == NoMoreData)
        {
            return _length;
        }

        _supported = false;
        return -1;
    }

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long LSeek(SafeFileHandle handle, long offset, int whence);
}
