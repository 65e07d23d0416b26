using System.Buffers.Binary;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;

namespace Osv.ImageBuilder.Inspect;

/// <summary>
/// An OSv disk image opened for reading: the container is detected from the file's first bytes (qcow2,
/// VMDK, otherwise raw), and the partition table, the command line and partition 2's filesystem can be
/// read. The file is untrusted; malformed structures raise <see cref="InvalidImageException"/>.
/// </summary>
public sealed class DiskImage : IDisposable
{
    private readonly FileStream _file;
    private readonly Stream _disk;
    private bool _disposed;

    private DiskImage(FileStream file, Stream disk, ContainerFormat format)
    {
        _file = file;
        _disk = disk;
        Format = format;
        Partitions = ReadPartitions(disk);
        MbrPartition second = Partitions[1];

        // Only a disk made from a boot image has a command line: its partition starts after it, at 2 MiB
        // or later, while a kernel-less disk's starts at byte 512.
        if (second.IsUsed && second.Offset > BootCommandLine.DefaultOffset)
        {
            long room = Math.Min(BootCommandLine.DefaultMaxBytes, second.Offset - BootCommandLine.DefaultOffset);
            CommandLine = BootCommandLine.Read(disk, BootCommandLine.DefaultOffset, room);
        }
    }

    /// <summary>Gets the container format of the file.</summary>
    public ContainerFormat Format { get; }

    /// <summary>Gets the size of the virtual disk in bytes.</summary>
    public long VirtualSize => _disk.Length;

    /// <summary>Gets the four entries of the MBR partition table; OSv's filesystem is entry 2.</summary>
    public IReadOnlyList<MbrPartition> Partitions { get; }

    /// <summary>Gets the kernel command line, or null for a kernel-less disk.</summary>
    public string? CommandLine { get; }

    /// <summary>Opens the image file at <paramref name="path"/> and reads its partition table.</summary>
    /// <param name="path">A raw, qcow2 or VMDK image.</param>
    /// <returns>The opened image; dispose it to close the file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidImageException">The container or the partition table is malformed.</exception>
    /// <exception cref="IOException">Reading the file failed.</exception>
    public static DiskImage Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        try
        {
            ContainerFormat format = Detect(file);
            Stream disk = format switch
            {
                ContainerFormat.Qcow2 => new Qcow2DiskStream(file),
                ContainerFormat.Vmdk => new VmdkDiskStream(file),
                _ => new WindowStream(file, 0, file.Length, writable: false),
            };
            return new DiskImage(file, disk, format);
        }
        catch (EndOfStreamException exception)
        {
            file.Dispose();
            throw new InvalidImageException($"The image '{path}' ends in the middle of a structure: {exception.Message}", exception);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Returns the container format a file's first bytes show: qcow2, VMDK, or raw for anything else.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="file"/> is null.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static ContainerFormat Detect(Stream file)
    {
        ArgumentNullException.ThrowIfNull(file);
        Span<byte> magic = stackalloc byte[sizeof(uint)];
        file.Position = 0;
        int read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        file.Position = 0;
        if (read < magic.Length)
        {
            return ContainerFormat.Raw;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(magic) == Qcow2Layout.Magic)
        {
            return ContainerFormat.Qcow2;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(magic) == VmdkLayout.Magic ? ContainerFormat.Vmdk : ContainerFormat.Raw;
    }

    /// <summary>Opens the virtual disk for reading from its first byte.</summary>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public Stream OpenDisk()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new WindowStream(_disk, 0, _disk.Length, writable: false);
    }

    /// <summary>Opens partition <paramref name="index"/> (1 to 4) for reading.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not 1 to 4.</exception>
    /// <exception cref="InvalidImageException">The entry is unused or lies outside the disk.</exception>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public Stream OpenPartition(int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, MbrLayout.PartitionCount);
        ObjectDisposedException.ThrowIf(_disposed, this);
        MbrPartition partition = Partitions[index - 1];
        if (!partition.IsUsed)
        {
            throw new InvalidImageException($"Partition {index} is not used in the partition table.");
        }

        if (partition.Offset > VirtualSize || partition.Size > VirtualSize - partition.Offset)
        {
            throw new InvalidImageException($"Partition {index} ({partition.Size} bytes at byte {partition.Offset}) lies outside the {VirtualSize}-byte disk.");
        }

        return new WindowStream(_disk, partition.Offset, partition.Size, writable: false);
    }

    /// <summary>Opens the filesystem of partition 2 with the reader that recognises it.</summary>
    /// <returns>The reader; dispose it before the image.</returns>
    /// <exception cref="InvalidImageException">The partition is missing, malformed or contains no known filesystem.</exception>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public IFileSystemReader OpenFileSystem()
    {
        Stream partition = OpenPartition(2);
        try
        {
            return FileSystemReaders.Open(partition);
        }
        catch (EndOfStreamException exception)
        {
            partition.Dispose();
            throw new InvalidImageException($"The filesystem of partition 2 ends in the middle of a structure: {exception.Message}", exception);
        }
        catch
        {
            partition.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _disk.Dispose();
        _file.Dispose();
    }

    // Reads the boot sector and its four partition entries.
    private static MbrPartition[] ReadPartitions(Stream disk)
    {
        if (disk.Length < MbrLayout.SectorSize)
        {
            throw new InvalidImageException($"The disk is {disk.Length} bytes long, shorter than a 512-byte boot sector.");
        }

        Span<byte> bootSector = stackalloc byte[MbrLayout.SectorSize];
        disk.Position = 0;
        disk.ReadExactly(bootSector);
        if (BinaryPrimitives.ReadUInt16LittleEndian(bootSector[MbrLayout.SignatureOffset..]) != MbrLayout.Signature)
        {
            throw new InvalidImageException("The disk's first sector has no boot signature 0x55AA at byte 510; it is not an OSv disk.");
        }

        var partitions = new MbrPartition[MbrLayout.PartitionCount];
        for (int i = 0; i < partitions.Length; i++)
        {
            partitions[i] = MbrPartition.Read(bootSector, i + 1);
        }

        return partitions;
    }
}
