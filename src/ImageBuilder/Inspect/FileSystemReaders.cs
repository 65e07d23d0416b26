using System.Buffers.Binary;
using System.Reflection;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Rofs;

namespace Osv.ImageBuilder.Inspect;

/// <summary>
/// The filesystem readers <see cref="DiskImage.OpenFileSystem"/> chooses from, each with a probe that
/// recognises its filesystem from the partition's first bytes. ROFS is built in; ZFS is recognised by
/// the uberblock magic of its first label and opened by the reader registered for it.
/// </summary>
/// <remarks>
/// A ZFS reader registers itself with <see cref="Register"/>. Until one does, a reader class named
/// <c>Osv.ImageBuilder.FileSystems.Zfs.ZfsReader</c> in this assembly with a constructor taking
/// <c>(Stream, bool leaveOpen)</c> or <c>(Stream)</c> is used when present.
/// </remarks>
public static class FileSystemReaders
{
    /// <summary>The ZFS uberblock magic (ub_magic), found at 128 KiB into the first vdev label.</summary>
    public const ulong ZfsUberblockMagic = 0x00BAB10C;

    /// <summary>The offset of the uberblock ring inside a vdev label.</summary>
    public const long ZfsUberblockRingOffset = 128 * 1024;

    private const string ZfsReaderTypeName = "Osv.ImageBuilder.FileSystems.Zfs.ZfsReader";

    private static readonly object Gate = new();
    private static readonly List<Registration> Registrations =
    [
        new(FileSystemKind.Rofs, RofsReader.IsRofs, partition => new RofsReader(partition, leaveOpen: false)),
        new(FileSystemKind.Zfs, IsZfs, OpenZfsByName),
    ];

    /// <summary>Registers a reader; a later registration for the same kind replaces the earlier one.</summary>
    /// <param name="kind">The filesystem the reader reads.</param>
    /// <param name="probe">Returns whether a partition contains this filesystem; it must not keep the stream.</param>
    /// <param name="open">Creates the reader; the reader owns the stream it is given.</param>
    /// <exception cref="ArgumentNullException">A delegate is null.</exception>
    public static void Register(FileSystemKind kind, Func<Stream, bool> probe, Func<Stream, IFileSystemReader> open)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(open);
        lock (Gate)
        {
            Registrations.RemoveAll(r => r.Kind == kind);
            Registrations.Add(new Registration(kind, probe, open));
        }
    }

    /// <summary>Returns whether <paramref name="partition"/> has a ZFS label: the uberblock magic in either byte order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="partition"/> is null.</exception>
    public static bool IsZfs(Stream partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (partition.Length < ZfsUberblockRingOffset + sizeof(ulong))
        {
            return false;
        }

        Span<byte> magic = stackalloc byte[sizeof(ulong)];
        partition.Position = ZfsUberblockRingOffset;
        partition.ReadExactly(magic);
        partition.Position = 0;
        return BinaryPrimitives.ReadUInt64LittleEndian(magic) == ZfsUberblockMagic
            || BinaryPrimitives.ReadUInt64BigEndian(magic) == ZfsUberblockMagic;
    }

    // Finds the reader for a partition and opens it; the reader owns the stream.
    internal static IFileSystemReader Open(Stream partition)
    {
        Registration[] registrations;
        lock (Gate)
        {
            registrations = [.. Registrations];
        }

        foreach (Registration registration in registrations)
        {
            if (registration.Probe(partition))
            {
                partition.Position = 0;
                return registration.Open(partition);
            }
        }

        throw new InvalidImageException("Partition 2 contains no known filesystem: no ROFS superblock at its start and no ZFS label.");
    }

    // Opens ZFS with the project's reader when it is part of this assembly.
    private static IFileSystemReader OpenZfsByName(Stream partition)
    {
        Type? type = typeof(FileSystemReaders).Assembly.GetType(ZfsReaderTypeName);
        if (type is null || !typeof(IFileSystemReader).IsAssignableFrom(type))
        {
            throw new NotSupportedException("Partition 2 contains a ZFS pool, but this build has no ZFS reader; inspect it with 'zdb -l'.");
        }

        try
        {
            if (type.GetConstructor([typeof(Stream), typeof(bool)]) is { } withLeaveOpen)
            {
                return (IFileSystemReader)withLeaveOpen.Invoke([partition, false]);
            }

            if (type.GetConstructor([typeof(Stream)]) is { } plain)
            {
                return (IFileSystemReader)plain.Invoke([partition]);
            }
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
        }

        throw new NotSupportedException($"{ZfsReaderTypeName} has no constructor taking (Stream, bool) or (Stream).");
    }

    private sealed record Registration(FileSystemKind Kind, Func<Stream, bool> Probe, Func<Stream, IFileSystemReader> Open);
}
