using System.Text;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;

namespace Osv.ImageBuilder.Assemble;

/// <summary>
/// Lays out a raw OSv disk as scripts/build does: the boot image (or a bare MBR), the command line,
/// partition 2 with the filesystem, and the partition table entry that imgedit.py would write.
/// </summary>
/// <remarks>
/// With a boot image the partition starts at the image's size rounded up to 2 MiB; without one, at
/// byte 512 after an MBR that holds only the boot signature (scripts/disk.bin). The filesystem writer
/// sees the partition as a stream that starts at 0 and cannot grow past the virtual size.
/// </remarks>
public static class DiskAssembler
{
    /// <summary>The alignment of partition 2 after a boot image, 2 MiB (kernel_end in scripts/build).</summary>
    public const long PartitionAlignment = 2L << 20;

    private const int CopyBufferSize = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the raw disk for <paramref name="layout"/> into <paramref name="destination"/>.</summary>
    /// <param name="layout">The kernel, command line, filesystem, plan and size.</param>
    /// <param name="destination">An empty, writable, seekable stream; a file stream keeps the zero ranges as holes.</param>
    /// <param name="diagnostics">Receives OSV40xx errors with the numbers involved, and the filesystem writer's errors.</param>
    /// <param name="cancellationToken">Stops the write between buffers.</param>
    /// <returns>The layout that was written, or null when errors were reported; the destination then holds a partial disk.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable and seekable, or not empty.</exception>
    /// <exception cref="IOException">Writing to <paramref name="destination"/> failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static AssembledDisk? Assemble(DiskLayout layout, Stream destination, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (!destination.CanWrite || !destination.CanSeek || destination.Length != 0)
        {
            throw new ArgumentException("The destination must be an empty, writable and seekable stream.", nameof(destination));
        }

        FileSystemKind fileSystem = layout.FileSystem.Kind;
        string? bootImage = layout.Kernel?.BootImagePath;
        if (layout.Kernel is { } kernel && !kernel.FileSystems.Contains(fileSystem))
        {
            diagnostics.Error(
                DiskDiagnosticCodes.FileSystemNotSupported,
                $"The kernel '{kernel.Name}' mounts {string.Join(", ", kernel.FileSystems).ToLowerInvariant()} but not {fileSystem.ToString().ToLowerInvariant()}; choose one of those or another kernel.");
            return null;
        }

        long virtualSize = layout.VirtualSize - (layout.VirtualSize % MbrLayout.SectorSize);
        if (virtualSize <= 0)
        {
            diagnostics.Error(DiskDiagnosticCodes.InvalidVirtualSize, $"The disk size {layout.VirtualSize} bytes is too small: it is less than one 512-byte sector. Give a size that holds the boot area and the filesystem, for example 64M.");
            return null;
        }

        // The boot area: loader.img and its command line, or a bare MBR.
        string? commandLine = null;
        long bootLength;
        long partitionOffset;
        if (bootImage is not null)
        {
            commandLine = BuildCommandLine(layout, fileSystem);
            byte[]? commandLineBytes = EncodeCommandLine(commandLine, layout.Kernel!, diagnostics);
            if (commandLineBytes is null)
            {
                return null;
            }

            bootLength = CopyBootImage(bootImage, destination, diagnostics, cancellationToken);
            if (bootLength < 0)
            {
                return null;
            }

            BootCommandLine.Write(destination, layout.Kernel!.CommandLineOffset, layout.Kernel.CommandLineMaxBytes, commandLineBytes);
            partitionOffset = (bootLength + PartitionAlignment - 1) / PartitionAlignment * PartitionAlignment;
        }
        else
        {
            if (!string.IsNullOrEmpty(layout.CommandLine))
            {
                diagnostics.Warning(
                    DiskDiagnosticCodes.CommandLineIgnored,
                    $"A kernel-less disk has no room for the command line '{layout.CommandLine}'; pass it to the hypervisor with the kernel (for example qemu -append).");
            }

            bootLength = MbrLayout.SectorSize;
            Span<byte> mbr = stackalloc byte[MbrLayout.SectorSize];
            mbr.Clear();
            mbr[MbrLayout.SignatureOffset] = 0x55;
            mbr[MbrLayout.SignatureOffset + 1] = 0xAA;
            destination.Write(mbr);
            partitionOffset = MbrLayout.SectorSize;
        }

        // The filesystem. A ramfs kernel carries its files in the kernel ELF, so its partition is empty
        // and the disk ends where the partition starts, as scripts/build makes it.
        long partitionSize = 0;
        if (fileSystem == FileSystemKind.Ramfs)
        {
            virtualSize = partitionOffset;
        }
        else
        {
            if (partitionOffset >= virtualSize)
            {
                diagnostics.Error(
                    DiskDiagnosticCodes.ContentTooLarge,
                    $"The boot area takes {partitionOffset} bytes, which leaves no room for the filesystem in a disk of {virtualSize} bytes; increase the disk size.");
                return null;
            }

            partitionSize = WritePartition(layout, destination, partitionOffset, virtualSize, diagnostics, cancellationToken);
            if (partitionSize < 0)
            {
                return null;
            }
        }

        // The partition entry, padded to whole sectors as the partition is.
        long partitionSectors = (partitionSize + MbrLayout.SectorSize - 1) / MbrLayout.SectorSize;
        if (partitionSectors > uint.MaxValue || partitionOffset / MbrLayout.SectorSize > uint.MaxValue)
        {
            diagnostics.Error(DiskDiagnosticCodes.PartitionTooLarge, $"The partition of {partitionSize} bytes at byte {partitionOffset} is larger than an MBR entry can describe (2 TiB); make the image smaller.");
            return null;
        }

        Span<byte> bootSector = stackalloc byte[MbrLayout.SectorSize];
        destination.Position = 0;
        destination.ReadExactly(bootSector);
        MbrPartition.Write(bootSector, 2, partitionOffset, partitionSectors * MbrLayout.SectorSize);
        destination.Position = 0;
        destination.Write(bootSector);

        if (destination.Length < virtualSize)
        {
            destination.SetLength(virtualSize);
        }

        var extents = new List<DiskExtent> { new(0, bootLength) };
        if (partitionSize > 0)
        {
            extents.Add(new DiskExtent(partitionOffset, partitionSize));
        }

        return new AssembledDisk(virtualSize, partitionOffset, partitionSize, commandLine, extents);
    }

    // Puts --rootfs=FS in front of the command line, as scripts/build does.
    private static string BuildCommandLine(DiskLayout layout, FileSystemKind fileSystem)
    {
        string user = layout.CommandLine.Trim();
        if (user.StartsWith("--rootfs=", StringComparison.Ordinal))
        {
            return user;
        }

        string prefix = "--rootfs=" + fileSystem.ToString().ToLowerInvariant();
        return user.Length == 0 ? prefix : prefix + " " + user;
    }

    // Encodes the command line and checks it against the kernel's command line area.
    private static byte[]? EncodeCommandLine(string commandLine, Kernel.KernelBundle kernel, DiagnosticBag diagnostics)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(commandLine);
        }
        catch (EncoderFallbackException)
        {
            diagnostics.Error(DiskDiagnosticCodes.InvalidCommandLine, "The command line contains an unpaired UTF-16 surrogate and has no UTF-8 form; fix the text.");
            return null;
        }

        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            diagnostics.Error(DiskDiagnosticCodes.InvalidCommandLine, "The command line contains a NUL byte, which would end it early; remove it.");
            return null;
        }

        if (bytes.Length + 1 > kernel.CommandLineMaxBytes)
        {
            diagnostics.Error(
                DiskDiagnosticCodes.CommandLineTooLong,
                $"The command line is {bytes.Length} bytes plus its NUL, but the boot image has room for {kernel.CommandLineMaxBytes} bytes at byte {kernel.CommandLineOffset}; shorten it by at least {bytes.Length + 1 - kernel.CommandLineMaxBytes} bytes.");
            return null;
        }

        return bytes;
    }

    // Copies the boot image to the start of the disk; returns its length or -1 after reporting an error.
    private static long CopyBootImage(string bootImage, Stream destination, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        try
        {
            using var source = new FileStream(bootImage, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            destination.Position = 0;
            source.CopyTo(destination, CopyBufferSize);
            cancellationToken.ThrowIfCancellationRequested();
            return source.Length;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(DiskDiagnosticCodes.BootImageUnreadable, $"The boot image '{bootImage}' could not be read: {exception.Message}", new SourceLocation(bootImage));
            return -1;
        }
    }

    // Writes the filesystem through a window that starts at the partition; returns its size or -1.
    private static long WritePartition(DiskLayout layout, Stream destination, long partitionOffset, long virtualSize, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        long room = virtualSize - partitionOffset;
        using var partition = new WindowStream(destination, partitionOffset, room, writable: true);
        var options = new FileSystemWriteOptions { PartitionSize = room, Timestamp = layout.Timestamp };
        long written;
        try
        {
            written = layout.FileSystem.Write(layout.Plan, partition, options, diagnostics, cancellationToken);
        }
        catch (WindowFullException exception)
        {
            diagnostics.Error(
                DiskDiagnosticCodes.ContentTooLarge,
                $"The {layout.FileSystem.Kind.ToString().ToLowerInvariant()} filesystem does not fit in the {room} bytes after the boot area ({partitionOffset} bytes) of a {virtualSize}-byte disk: {exception.Message} Increase the disk size.");
            return -1;
        }

        if (written < 0)
        {
            return -1;
        }

        if (written > room)
        {
            diagnostics.Error(
                DiskDiagnosticCodes.ContentTooLarge,
                $"The filesystem needs {written} bytes but the disk of {virtualSize} bytes has {room} bytes after the boot area; increase the disk size by at least {written - room} bytes.");
            return -1;
        }

        return written;
    }
}
