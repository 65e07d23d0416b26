using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.FileSystems.Rofs;

/// <summary>
/// Writes an <see cref="ImagePlan"/> as a ROFS image that is byte-identical to what OSv's
/// scripts/gen-rofs-img.py writes for the same tree, except for names that are not ASCII (see remarks).
/// </summary>
/// <remarks>
/// <para>
/// The order follows gen-rofs-img.py: inodes are numbered depth-first in the order of each directory's
/// children (the root is inode 1), file data is written in the same order from block 1, and the
/// directory entry table lists each directory's entries after those of its subdirectories, so the
/// root's entries come last.
/// </para>
/// <para>
/// gen-rofs-img.py stores the character count of a name where the format needs its UTF-8 byte count,
/// so its images of non-ASCII names are corrupt. This writer stores the byte count.
/// </para>
/// <para>
/// File data is streamed through one pooled buffer, so memory does not grow with file sizes. Runs of
/// zeros written past the destination's end become holes in a file stream.
/// </para>
/// </remarks>
public sealed class RofsWriter : IFileSystemWriter
{
    // Large enough that reading and writing cost a few system calls a megabyte.
    private const int CopyBufferSize = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <inheritdoc/>
    public FileSystemKind Kind => FileSystemKind.Rofs;

    /// <summary>
    /// Writes the ROFS image of <paramref name="plan"/> into <paramref name="destination"/> from position 0.
    /// </summary>
    /// <param name="plan">The guest tree; directory children are written in their order.</param>
    /// <param name="destination">A writable, seekable stream; bytes past its end must read as zeros once it grows.</param>
    /// <param name="options">The partition size limit; the timestamp is not used because ROFS stores none.</param>
    /// <param name="diagnostics">Receives OSV31xx errors: names or paths over OSv's bounds, unreadable host files, a partition that is too small.</param>
    /// <param name="cancellationToken">Stops the write between buffers.</param>
    /// <returns>The size of the image in bytes, or -1 when errors were reported.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable and seekable.</exception>
    /// <exception cref="IOException">Writing to <paramref name="destination"/> failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public long Write(ImagePlan plan, Stream destination, FileSystemWriteOptions options, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (!destination.CanWrite || !destination.CanSeek)
        {
            throw new ArgumentException("The destination stream must be writable and seekable.", nameof(destination));
        }

        // Check the whole tree against OSv's bounds and measure it before writing anything.
        RofsTree? tree = RofsTree.Build(plan, StrictUtf8, diagnostics);
        if (tree is null)
        {
            return -1;
        }

        long imageSize = tree.MeasureImageSize();
        if (options.PartitionSize is { } limit && imageSize > limit)
        {
            diagnostics.Error(
                RofsDiagnosticCodes.PartitionTooSmall,
                $"The ROFS image needs {imageSize} bytes but the partition has room for {limit} bytes; increase the disk size by at least {imageSize - limit} bytes or remove files.");
            return -1;
        }

        destination.Position = 0;
        var output = new SparseStreamWriter(destination);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            // The superblock is written last, when the structure area's place is known.
            output.WriteZeros(RofsLayout.BlockSize);

            // File data, depth-first in inode order.
            long block = RofsLayout.FirstDataBlock;
            foreach (RofsTree.Node node in tree.Nodes)
            {
                if (node.Kind != FileSystemEntryKind.File)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                node.DataBlock = block;
                long copied = CopyFile(node, output, buffer, diagnostics, cancellationToken);
                if (copied < 0)
                {
                    return -1;
                }

                node.Size = copied;
                block += BlocksFor(copied);
            }

            // The structure area: directory entries, symbolic links, inodes, padded to a block.
            Debug.Assert(output.Position == block * RofsLayout.BlockSize, "File data must end on a block boundary.");
            long structureBytes = tree.WriteStructure(output, buffer);
            long structureBlocks = BlocksFor(structureBytes);

            // gen-rofs-img.py pads with (block size - remainder) bytes, so a structure area that already
            // ends on a block boundary is followed by one whole block of zeros that the superblock does
            // not count.
            output.WriteZeros(RofsLayout.BlockSize - (structureBytes % RofsLayout.BlockSize));
            output.Complete();
            long end = destination.Position;

            destination.Position = 0;
            WriteSuperblock(destination, block, structureBlocks, tree);
            destination.Position = end;

            Debug.Assert(end == imageSize || tree.SizesChanged, "The measured size must match the written size.");
            return end;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Returns the number of blocks that hold size bytes.
    internal static long BlocksFor(long size) => (size + RofsLayout.BlockSize - 1) / RofsLayout.BlockSize;

    // Copies one host file and pads it to a block; returns its size, or -1 after reporting an error.
    private static long CopyFile(RofsTree.Node node, SparseStreamWriter output, byte[] buffer, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        string hostPath = node.HostPath!;
        long total = 0;
        try
        {
            using var source = new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                output.Write(buffer.AsSpan(0, read));
                total += read;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(
                RofsDiagnosticCodes.HostFileUnreadable,
                $"The host file '{hostPath}' for '{node.GuestPath}' could not be read: {exception.Message} Check that it exists and is readable.",
                node.Origin);
            return -1;
        }

        int remainder = (int)(total % RofsLayout.BlockSize);
        if (remainder != 0)
        {
            output.WriteZeros(RofsLayout.BlockSize - remainder);
        }

        if (total != node.Size)
        {
            node.Tree.SizesChanged = true;
        }

        return total;
    }

    // Writes the superblock at the stream's position.
    private static void WriteSuperblock(Stream destination, long structureFirstBlock, long structureBlocks, RofsTree tree)
    {
        Span<byte> superblock = stackalloc byte[RofsLayout.SuperblockFields.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.Magic..], RofsLayout.Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.Version..], RofsLayout.Version);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.BlockSize..], RofsLayout.BlockSize);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.StructureFirstBlock..], (ulong)structureFirstBlock);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.StructureBlockCount..], (ulong)structureBlocks);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.DirectoryEntryCount..], (ulong)tree.DirectoryEntryCount);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.SymlinkCount..], (ulong)tree.SymlinkCount);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock[RofsLayout.SuperblockFields.InodeCount..], (ulong)tree.Nodes.Count);
        destination.Write(superblock);
    }
}
