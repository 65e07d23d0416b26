using System.Security.Cryptography;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>Host files created for a test, and the plan that copies them into the guest.</summary>
internal sealed class HostTree : IDisposable
{
    private int _counter;

    /// <summary>Creates an empty tree in a new temporary folder.</summary>
    public HostTree()
    {
        Folder = Path.Combine(Path.GetTempPath(), "osv-zfs-host-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    /// <summary>Gets the host folder.</summary>
    public string Folder { get; }

    /// <summary>Gets the plan being built.</summary>
    public ImagePlan Plan { get; } = new();

    /// <summary>Adds a guest file with <paramref name="content"/>.</summary>
    public string AddFile(string guestPath, byte[] content)
    {
        string host = Path.Combine(Folder, "f" + _counter++);
        File.WriteAllBytes(host, content);
        Plan.AddFile(guestPath, host, content.Length, origin: null);
        return host;
    }

    /// <summary>Adds a guest file of <paramref name="size"/> bytes of reproducible pseudo-random content.</summary>
    public string AddRandomFile(string guestPath, int size, int seed) => AddFile(guestPath, RandomBytes(size, seed));

    /// <summary>Adds a guest file that copies an existing host file.</summary>
    public void AddHostFile(string guestPath, string hostPath) =>
        Plan.AddFile(guestPath, hostPath, new FileInfo(hostPath).Length, origin: null);

    /// <summary>Returns <paramref name="size"/> reproducible pseudo-random bytes.</summary>
    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Returns the SHA-256 of a host file.</summary>
    public static string HashFile(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder does not fail a test.
        }
    }
}
