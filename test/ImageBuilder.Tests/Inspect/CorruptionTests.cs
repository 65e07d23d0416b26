using System.Buffers.Binary;
using Osv.Diagnostics;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Inspect;
using Osv.ImageBuilder.Tests.FileSystems;
using Osv.ImageBuilder.Tests.Kernel;

namespace Osv.ImageBuilder.Tests.Inspect;

/// <summary>
/// Corrupted images make the readers fail with <see cref="InvalidImageException"/> and nothing else: hand-made
/// cases with their messages, and seeded mutations of every format that must finish within a time limit.
/// </summary>
public sealed class CorruptionTests : IDisposable
{
    // A mutated image is read within this time or the reader is taken to hang.
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private readonly string _folder = Directory.CreateTempSubdirectory("osv-corrupt-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Rofs_DirectoryLoop_IsReported()
    {
        byte[] image = RofsImage("deep");
        RofsSuperblock superblock = Superblock(image);

        // Point the first entry of the first directory table (the deepest directory's) at the root inode.
        int entries = checked((int)(superblock.StructureFirstBlock * 512));
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(entries), 1);

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => ReadRofs(image));
        Assert.Contains("a second time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rofs_Truncated_IsReported()
    {
        byte[] image = RofsImage("sample-app");

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => ReadRofs(image.AsSpan(0, image.Length / 2).ToArray()));

        Assert.Contains("structure area", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rofs_InodeCountTooLarge_IsReported()
    {
        byte[] image = RofsImage("sample-app");
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(56), 1_000_000);

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => ReadRofs(image));

        Assert.Contains("1000000 inodes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rofs_FileOutsideData_IsReported()
    {
        byte[] image = RofsImage("empty-files");
        RofsSuperblock superblock = Superblock(image);
        int inodes = ImageInodeTable(image, superblock);

        // Inode 3 is /b, a 1-byte file; claim it is huge.
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(inodes + (2 * 32) + 24), ulong.MaxValue / 2);

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => ReadRofs(image));
        Assert.Contains("outside the data area", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bootfs_NoTerminator_IsReported()
    {
        // One record for an empty file '/a' whose data would start right after it, and no all-zero record.
        byte[] blob = new byte[128];
        BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(8), 128);
        blob[17] = (byte)'/';
        blob[18] = (byte)'a';

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => ReadBootfs(blob));

        Assert.Contains("no terminating all-zero record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bootfs_OffsetPastEnd_IsReported()
    {
        byte[] blob = BootfsBlob("sample-app");
        BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(8), (ulong)blob.Length);

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => ReadBootfs(blob));

        Assert.Contains("outside the", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Qcow2_L1PastEnd_IsReported()
    {
        string path = Container(ContainerFormat.Qcow2, compress: false);
        byte[] file = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan(40), (ulong)file.Length * 4);
        File.WriteAllBytes(path, file);

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => DiskImage.Open(path).Dispose());

        Assert.Contains("L1 table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vmdk_Truncated_IsReported()
    {
        string path = Container(ContainerFormat.Vmdk, compress: true);
        byte[] file = File.ReadAllBytes(path);
        File.WriteAllBytes(path, file.AsSpan(0, file.Length - 1024).ToArray());

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => DiskImage.Open(path).Dispose());

        Assert.Contains("footer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mbr_NoSignature_IsReported()
    {
        string path = Container(ContainerFormat.Raw, compress: false);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.Position = 510;
            stream.Write([0, 0]);
        }

        InvalidImageException error = Assert.Throws<InvalidImageException>(() => DiskImage.Open(path).Dispose());

        Assert.Contains("boot signature", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> MutatedFormats => new("rofs", "bootfs", "qcow2", "compressed-qcow2", "vmdk", "raw");

    [Theory]
    [MemberData(nameof(MutatedFormats))]
    public async Task Mutations_OnlyRaiseInvalidImage(string format)
    {
        byte[] original = format switch
        {
            "rofs" => RofsImage("sample-app"),
            "bootfs" => BootfsBlob("sample-app"),
            "qcow2" => File.ReadAllBytes(Container(ContainerFormat.Qcow2, compress: false)),
            "compressed-qcow2" => File.ReadAllBytes(Container(ContainerFormat.Qcow2, compress: true)),
            "vmdk" => File.ReadAllBytes(Container(ContainerFormat.Vmdk, compress: true)),
            _ => RawDiskHead(),
        };
        var random = new Random(20261204 + format.Length);
        int invalid = 0;
        for (int round = 0; round < 150; round++)
        {
            byte[] mutated = Mutate(original, random);
            string path = Path.Combine(_folder, $"mutated-{round}");
            File.WriteAllBytes(path, mutated);
            Task<Exception?> read = Task.Run(() => ReadEverything(format, path), TestContext.Current.CancellationToken);
            Task finished = await Task.WhenAny(read, Task.Delay(HangLimit, TestContext.Current.CancellationToken));
            Assert.True(finished == read, $"Round {round}: reading the mutated {format} image did not finish within {HangLimit}.");
            Exception? failure = await read;
            Assert.True(failure is null or InvalidImageException, $"Round {round}: {failure?.GetType().Name}: {failure?.Message}\n{failure?.StackTrace}");
            if (failure is InvalidImageException)
            {
                invalid++;
            }

            File.Delete(path);
        }

        // The mutations reach the structures: some of them must be caught.
        Assert.True(invalid > 10, $"Only {invalid} of 150 mutations were reported as invalid.");
    }

    // Flips bytes, overwrites an aligned field with a random or extreme value, or truncates.
    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] mutated = (byte[])original.Clone();
        int kind = random.Next(4);

        // Metadata sits at the start and at the end of every format here.
        int Position() => random.Next(2) == 0 ? random.Next(Math.Min(8192, mutated.Length)) : mutated.Length - 1 - random.Next(Math.Min(mutated.Length, 300_000));
        switch (kind)
        {
            case 0:
                for (int i = random.Next(1, 8); i > 0; i--)
                {
                    mutated[Position()] ^= (byte)random.Next(1, 256);
                }

                return mutated;
            case 1:
            case 2:
                int at = Position() & ~7;
                if (at + 8 <= mutated.Length)
                {
                    ulong value = random.Next(3) switch { 0 => ulong.MaxValue, 1 => (ulong)random.NextInt64(), _ => (ulong)random.Next(0, 70000) };
                    BinaryPrimitives.WriteUInt64LittleEndian(mutated.AsSpan(at), value);
                }

                return mutated;
            default:
                return mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
        }
    }

    // Reads the whole tree and up to 1 MiB of every file; returns the exception it ended with, if any.
    private static Exception? ReadEverything(string format, string path)
    {
        try
        {
            if (format is "rofs" or "bootfs")
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
                using IFileSystemReader reader = format == "rofs" ? new RofsReader(stream) : new BootfsReader(stream);
                ReadFiles(reader);
                return null;
            }

            using DiskImage image = DiskImage.Open(path);
            using (Stream disk = image.OpenDisk())
            {
                byte[] buffer = new byte[1 << 16];
                for (long offset = 0; offset < Math.Min(disk.Length, 4L << 20); offset += buffer.Length)
                {
                    disk.Position = offset;
                    disk.ReadAtLeast(buffer, 1, throwOnEndOfStream: false);
                }
            }

            using IFileSystemReader fileSystem = image.OpenFileSystem();
            ReadFiles(fileSystem);
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private static void ReadFiles(IFileSystemReader reader)
    {
        byte[] buffer = new byte[1 << 16];
        foreach (FileSystemEntry entry in reader.ReadTree())
        {
            if (entry.Kind != FileSystemEntryKind.File)
            {
                continue;
            }

            using Stream content = reader.OpenFile(entry.GuestPath);
            long total = 0;
            int read;
            while (total < (1 << 20) && (read = content.Read(buffer)) > 0)
            {
                total += read;
            }
        }
    }

    private static byte[] RofsImage(string name)
    {
        using TestTree tree = TestTrees.Create(name);
        return Tests.FileSystems.Rofs.RofsParityTests.Write(tree);
    }

    private static byte[] BootfsBlob(string name)
    {
        using TestTree tree = TestTrees.Create(name);
        return Tests.FileSystems.Bootfs.BootfsParityTests.Write(tree);
    }

    private static RofsSuperblock Superblock(byte[] image)
    {
        using var reader = new RofsReader(new MemoryStream(image));
        return reader.Superblock;
    }

    // Returns the offset of the inode table: after the entries and links, which are parsed here the same way.
    private static int ImageInodeTable(byte[] image, RofsSuperblock superblock)
    {
        int offset = checked((int)(superblock.StructureFirstBlock * 512));
        for (ulong i = 0; i < superblock.DirectoryEntryCount; i++)
        {
            offset += 10 + BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(offset + 8));
        }

        for (ulong i = 0; i < superblock.SymlinkCount; i++)
        {
            offset += 2 + BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(offset));
        }

        return offset;
    }

    private static void ReadRofs(byte[] image)
    {
        using var reader = new RofsReader(new MemoryStream(image));
        ReadFiles(reader);
    }

    private static void ReadBootfs(byte[] blob)
    {
        using var reader = new BootfsReader(new MemoryStream(blob));
        ReadFiles(reader);
    }

    // A kernel-less raw disk cut to its first 4 MiB, so that mutations stay cheap.
    private byte[] RawDiskHead()
    {
        string path = Container(ContainerFormat.Raw, compress: false, virtualSize: 4L << 20);
        return File.ReadAllBytes(path);
    }

    private int _containers;

    private string Container(ContainerFormat format, bool compress, long virtualSize = 64L << 20)
    {
        using TestTree tree = TestTrees.Create("sample-app");
        string path = Path.Combine(_folder, $"container{_containers++}.{format.ToString().ToLowerInvariant()}");
        var diagnostics = new DiagnosticBag();
        var layout = new DiskLayout
        {
            Kernel = SyntheticKernel.CreateBundle(Path.Combine(_folder, $"kernel{_containers}")),
            FileSystem = new RofsWriter(),
            Plan = tree.Plan,
            CommandLine = "/hello",
            VirtualSize = virtualSize,
        };
        AssembledDisk? disk = ImageFileWriter.Write(layout, path, format, new ContainerOptions { Compress = compress }, diagnostics, TestContext.Current.CancellationToken);
        Assert.True(disk is not null, string.Join("\n", diagnostics));
        return path;
    }
}
