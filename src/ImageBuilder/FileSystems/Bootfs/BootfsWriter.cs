using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.FileSystems.Bootfs;

/// <summary>
/// Writes the bootfs blob that OSv links into a ramfs kernel, byte-identical to scripts/mkbootfs.py
/// over the plan's entries in order, duplicates included.
/// </summary>
/// <remarks>
/// Unlike mkbootfs.py, a name longer than 110 bytes is an error rather than silently cut, because the
/// cut name would unpack at another path. A second symbolic link at one path is an error too, because
/// unpack_bootfs in OSv's fs/vfs/main.cc panics when symlink() fails.
/// </remarks>
public sealed class BootfsWriter : IFileSystemWriter
{
    private const int CopyBufferSize = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <inheritdoc/>
    public FileSystemKind Kind => FileSystemKind.Ramfs;

    /// <summary>Writes the bootfs blob for <paramref name="plan"/> into <paramref name="destination"/> from its current position.</summary>
    /// <param name="plan">The plan whose <see cref="ImagePlan.Entries"/> are written in order.</param>
    /// <param name="destination">A writable stream; it need not be seekable.</param>
    /// <param name="options">The size limit; the timestamp is not used because bootfs stores none.</param>
    /// <param name="diagnostics">Receives OSV32xx errors: long names, unreadable or changed host files, a blob that does not fit.</param>
    /// <param name="cancellationToken">Stops the write between buffers.</param>
    /// <returns>The size of the blob in bytes, or -1 when errors were reported.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable.</exception>
    /// <exception cref="IOException">Writing to <paramref name="destination"/> failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public long Write(ImagePlan plan, Stream destination, FileSystemWriteOptions options, DiagnosticBag diagnostics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream must be writable.", nameof(destination));
        }

        // Build every record first: the table precedes the data and holds every offset.
        List<Record>? records = BuildRecords(plan, diagnostics);
        if (records is null)
        {
            return -1;
        }

        long position = (long)(records.Count + 1) * BootfsLayout.RecordFields.Length;
        foreach (Record record in records)
        {
            record.Offset = position;
            position += record.Size;
        }

        long blobSize = position;
        if (options.PartitionSize is { } limit && blobSize > limit)
        {
            diagnostics.Error(
                BootfsDiagnosticCodes.PartitionTooSmall,
                $"The bootfs blob needs {blobSize} bytes but has room for {limit} bytes; remove at least {blobSize - limit} bytes of files.");
            return -1;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            // The table, then the all-zero record that ends it.
            int used = 0;
            foreach (Record record in records)
            {
                if (used + BootfsLayout.RecordFields.Length > buffer.Length)
                {
                    destination.Write(buffer, 0, used);
                    used = 0;
                }

                record.WriteTo(buffer.AsSpan(used, BootfsLayout.RecordFields.Length));
                used += BootfsLayout.RecordFields.Length;
            }

            destination.Write(buffer, 0, used);
            destination.Write(new byte[BootfsLayout.RecordFields.Length]);

            // The data of every record in table order; directories have none.
            foreach (Record record in records)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (record.LinkTarget is { } target)
                {
                    destination.Write(target);
                    destination.WriteByte(0);
                }
                else if (record.HostPath is { } hostPath && !CopyFile(record, hostPath, destination, buffer, diagnostics, cancellationToken))
                {
                    return -1;
                }
            }

            return blobSize;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Turns the plan's entries into records and reports every entry that cannot be stored.
    private static List<Record>? BuildRecords(ImagePlan plan, DiagnosticBag diagnostics)
    {
        var records = new List<Record>(plan.Entries.Count);
        var links = new HashSet<string>(StringComparer.Ordinal);
        bool failed = false;
        foreach (PlanEntry entry in plan.Entries)
        {
            SourceLocation? origin = entry.Node.Origin;
            string name = entry.Node is GuestDirectory && !entry.GuestPath.EndsWith('/') ? entry.GuestPath + "/" : entry.GuestPath;
            byte[] nameBytes;
            byte[]? target = null;
            try
            {
                nameBytes = StrictUtf8.GetBytes(name);
                if (entry.Node is GuestSymlink link)
                {
                    target = StrictUtf8.GetBytes(link.Target);
                }
            }
            catch (EncoderFallbackException)
            {
                diagnostics.Error(BootfsDiagnosticCodes.InvalidText, $"'{entry.GuestPath}' contains an unpaired UTF-16 surrogate and has no UTF-8 form; rename it.", origin);
                failed = true;
                continue;
            }

            if (nameBytes.Length > BootfsLayout.MaxNameBytes)
            {
                diagnostics.Error(
                    BootfsDiagnosticCodes.NameTooLong,
                    $"The guest path '{name}' is {nameBytes.Length} bytes long but a bootfs record stores at most {BootfsLayout.MaxNameBytes}; shorten it or use ROFS.",
                    origin);
                failed = true;
                continue;
            }

            switch (entry.Node)
            {
                case GuestDirectory:
                    records.Add(new Record(nameBytes, BootfsLayout.TypeOther, 0, hostPath: null, linkTarget: null, entry.GuestPath, origin));
                    break;
                case GuestSymlink:
                    if (!links.Add(entry.GuestPath))
                    {
                        diagnostics.Error(
                            BootfsDiagnosticCodes.DuplicateSymlink,
                            $"The symbolic link '{entry.GuestPath}' is listed twice; OSv's ramfs cannot create a link twice and stops at boot. Remove one of the entries.",
                            origin);
                        failed = true;
                        continue;
                    }

                    records.Add(new Record(nameBytes, BootfsLayout.TypeSymlink, target!.Length + 1, hostPath: null, target, entry.GuestPath, origin));
                    break;
                case GuestFile file:
                    var info = new FileInfo(file.HostPath);
                    if (!info.Exists)
                    {
                        diagnostics.Error(
                            BootfsDiagnosticCodes.HostFileUnreadable,
                            $"The host file '{file.HostPath}' for '{entry.GuestPath}' does not exist or is not a regular file; check the manifest entry.",
                            origin);
                        failed = true;
                        continue;
                    }

                    records.Add(new Record(nameBytes, BootfsLayout.TypeOther, info.Length, file.HostPath, linkTarget: null, entry.GuestPath, origin));
                    break;
            }
        }

        return failed ? null : records;
    }

    // Copies exactly the size recorded in the table; reports a file that shrank or grew since.
    private static bool CopyFile(Record record, string hostPath, Stream destination, byte[] buffer, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        try
        {
            using var source = new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            long remaining = record.Size;
            while (remaining > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (read == 0)
                {
                    break;
                }

                destination.Write(buffer, 0, read);
                remaining -= read;
            }

            if (remaining != 0 || source.Length != record.Size)
            {
                diagnostics.Error(
                    BootfsDiagnosticCodes.HostFileChanged,
                    $"The host file '{hostPath}' for '{record.GuestPath}' was {record.Size} bytes when the table was written and is {source.Length} bytes now; build again when it no longer changes.",
                    record.Origin);
                return false;
            }

            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(
                BootfsDiagnosticCodes.HostFileUnreadable,
                $"The host file '{hostPath}' for '{record.GuestPath}' could not be read: {exception.Message} Check that it exists and is readable.",
                record.Origin);
            return false;
        }
    }

    // One table record and where its data comes from.
    private sealed class Record(byte[] name, byte type, long size, string? hostPath, byte[]? linkTarget, string guestPath, SourceLocation? origin)
    {
        public long Size { get; } = size;

        public long Offset { get; set; }

        public string? HostPath { get; } = hostPath;

        public byte[]? LinkTarget { get; } = linkTarget;

        public string GuestPath { get; } = guestPath;

        public SourceLocation? Origin { get; } = origin;

        // Encodes the 128-byte record; the name is NUL-padded.
        public void WriteTo(Span<byte> record)
        {
            record.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(record[BootfsLayout.RecordFields.Size..], (ulong)Size);
            BinaryPrimitives.WriteUInt64LittleEndian(record[BootfsLayout.RecordFields.Offset..], (ulong)Offset);
            record[BootfsLayout.RecordFields.Type] = type;
            name.CopyTo(record[BootfsLayout.RecordFields.Name..]);
        }
    }
}
