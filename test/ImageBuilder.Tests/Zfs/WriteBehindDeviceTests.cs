using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>The background writer: order of writes, kernel copies from host files, and the check for changed files.</summary>
public sealed class WriteBehindDeviceTests
{
    [Fact]
    public void WritesAndCopiesLandInOrder()
    {
        using var tree = new HostTree();
        byte[] content = HostTree.RandomBytes(300_000, seed: 3);
        string source = Path.Combine(tree.Folder, "source.bin");
        File.WriteAllBytes(source, content);
        string target = Path.Combine(tree.Folder, "target.bin");

        using (var destination = new FileStream(target, FileMode.CreateNew, FileAccess.ReadWrite))
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read))
        using (var device = new WriteBehindDevice(destination))
        {
            device.Write(0, new byte[1000]);
            device.CopyFrom(input.SafeFileHandle, 0, 200_000, 1000, () => new IOException("changed"));
            device.CopyFrom(input.SafeFileHandle, 200_000, 100_000, 201_000, () => new IOException("changed"));
            device.Write(500, [7, 7, 7]);
            device.Complete();
        }

        byte[] written = File.ReadAllBytes(target);
        Assert.Equal(301_000, written.Length);
        Assert.Equal([7, 7, 7], written[500..503]);
        Assert.True(content.AsSpan().SequenceEqual(written.AsSpan(1000)), "The copied bytes differ from the source file.");
    }

    [Fact]
    public void ChangedSourceFailsCompletion()
    {
        using var tree = new HostTree();
        string source = Path.Combine(tree.Folder, "source.bin");
        File.WriteAllBytes(source, new byte[100_000]);
        using var destination = new FileStream(Path.Combine(tree.Folder, "target.bin"), FileMode.CreateNew, FileAccess.ReadWrite);
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read);
        using var device = new WriteBehindDevice(destination);
        DateTime lastWrite = File.GetLastWriteTimeUtc(input.SafeFileHandle);

        device.CopyFrom(input.SafeFileHandle, 0, 100_000, 0, () => new IOException("shorter"));
        device.VerifySource(input.SafeFileHandle, 100_000, lastWrite.AddSeconds(-1), () => new IOException("changed"));

        var exception = Assert.Throws<IOException>(device.Complete);
        Assert.Equal("changed", exception.Message);
    }

    [Fact]
    public void ShortSourceFailsCompletion()
    {
        using var tree = new HostTree();
        string source = Path.Combine(tree.Folder, "source.bin");
        File.WriteAllBytes(source, new byte[1000]);
        using var destination = new FileStream(Path.Combine(tree.Folder, "target.bin"), FileMode.CreateNew, FileAccess.ReadWrite);
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read);
        using var device = new WriteBehindDevice(destination);

        device.CopyFrom(input.SafeFileHandle, 0, 100_000, 0, () => new IOException("shorter"));

        var exception = Assert.Throws<IOException>(device.Complete);
        Assert.Equal("shorter", exception.Message);
    }
}
