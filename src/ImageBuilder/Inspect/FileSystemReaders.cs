using System.Buffers.Binary;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.Inspect;

/// <summary>
/// The filesystem readers <see cref="DiskImage.OpenFileSystem"/> chooses from, each with a probe that
/// recognises its filesystem from the partition's first bytes. ROFS is built in; ZFS is recognised by
/// an uberblock magic in its first label and opened by the reader registered for it.
/// </summary>
/// <remarks>
/// <see cref="Register"/> replaces the reader of a filesystem, for example to read another dataset.
/// </remarks>
public static class FileSystemReaders
{
    /// <summary>The ZFS uberblock magic (ub_magic), found at 128 KiB into the first vdev label.</summary>
    public const ulong ZfsUberblockMagic = 0x00BAB10C;

    /// <summary>The offset of the uberblock ring inside a vdev label.</summary>
    public const long ZfsUberblockRingOffset = 128 * 1024;

    // The size of the uberblock ring, and of its smallest slot (1 << UBERBLOCK_SHIFT in vdev_impl.h).
    private const int ZfsUberblockRingLength = 128 * 1024;
    private const int ZfsMinimumUberblockSlot = 1024;

    private static readonly object Gate = new();
    private static readonly List<Registration> Registrations =
    [
        new(FileSystemKind.Rofs, RofsReader.IsRofs, partition => new RofsReader(partition, leaveOpen: false)),
        new(FileSystemKind.Zfs, IsZfs, partition => new ZfsReader(partition, leaveOpen: false)),
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

    /// <summary>
    /// Returns whether <paramref name="partition"/> has a ZFS label: the uberblock magic, in either byte
    /// order, in any slot of the first label's uberblock ring.
    /// </summary>
    /// <remarks>
    /// A pool writes uberblock number txg into slot txg modulo the slot count, so slot 0 is empty in
    /// most pools (OSv's own images among them) and every slot must be probed. Slots are 1 KiB or
    /// larger powers of two, so probing each 1 KiB step finds them for any ashift.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="partition"/> is null.</exception>
    public static bool IsZfs(Stream partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (partition.Length < ZfsUberblockRingOffset + ZfsUberblockRingLength)
        {
            return false;
        }

        byte[] ring = new byte[ZfsUberblockRingLength];
        partition.Position = ZfsUberblockRingOffset;
        partition.ReadExactly(ring);
        partition.Position = 0;
        for (int slot = 0; slot < ring.Length; slot += ZfsMinimumUberblockSlot)
        {
            ReadOnlySpan<byte> magic = ring.AsSpan(slot, sizeof(ulong));
            if (BinaryPrimitives.ReadUInt64LittleEndian(magic) == ZfsUberblockMagic
                || BinaryPrimitives.ReadUInt64BigEndian(magic) == ZfsUberblockMagic)
            {
                return true;
            }
        }

        return false;
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

    private sealed record Registration(FileSystemKind Kind, Func<Stream, bool> Probe, Func<Stream, IFileSystemReader> Open);
}
