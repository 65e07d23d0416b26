using System.Text;
using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.FileSystems;

/// <summary>
/// A guest tree made of real host files in a temporary folder, kept both as an <see cref="ImagePlan"/>
/// and as the OSv manifest that makes the same tree with OSv's scripts.
/// </summary>
internal sealed class TestTree : IDisposable
{
    private readonly List<string> _manifest = [];
    private int _fileCount;

    public TestTree(string name)
    {
        Name = name;
        Root = System.IO.Directory.CreateTempSubdirectory("osv-tree-").FullName;
        HostFolder = Path.Combine(Root, "host");
        System.IO.Directory.CreateDirectory(HostFolder);
    }

    public string Name { get; }

    /// <summary>Gets the temporary folder that holds everything of this tree.</summary>
    public string Root { get; }

    public string HostFolder { get; }

    public ImagePlan Plan { get; } = new();

    /// <summary>Adds a file whose content is generated from the seed.</summary>
    public string File(string guestPath, int size, int seed)
    {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++)
        {
            content[i] = (byte)((i * 31) + (seed * 7) ^ (i >> 8));
        }

        return File(guestPath, content);
    }

    /// <summary>Adds a file of seeded random bytes, which do not compress.</summary>
    public string RandomFile(string guestPath, int size, int seed)
    {
        byte[] content = new byte[size];
        new Random(seed).NextBytes(content);
        return File(guestPath, content);
    }

    /// <summary>Adds a file with the given content.</summary>
    public string File(string guestPath, byte[] content)
    {
        string host = NextHostPath(guestPath);
        System.IO.File.WriteAllBytes(host, content);
        Plan.AddFile(guestPath, host, content.Length, new SourceLocation("test.manifest", _manifest.Count + 1));
        _manifest.Add($"{guestPath}: {host}");
        return host;
    }

    /// <summary>Adds a text file.</summary>
    public string Text(string guestPath, string text) => File(guestPath, Encoding.UTF8.GetBytes(text));

    /// <summary>Adds a sparse file of <paramref name="size"/> bytes with a little data at its start and end.</summary>
    public string Sparse(string guestPath, long size)
    {
        string host = NextHostPath(guestPath);
        using (var stream = new FileStream(host, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write("start of a sparse file\n"u8);
            stream.SetLength(size);
            stream.Position = size - 4;
            stream.Write("end\n"u8);
        }

        Plan.AddFile(guestPath, host, size, new SourceLocation("test.manifest", _manifest.Count + 1));
        _manifest.Add($"{guestPath}: {host}");
        return host;
    }

    /// <summary>Adds a symbolic link.</summary>
    public void Link(string guestPath, string target)
    {
        Plan.AddSymlink(guestPath, target, new SourceLocation("test.manifest", _manifest.Count + 1));
        _manifest.Add($"{guestPath}: ->{target}");
    }

    /// <summary>Adds an empty directory, copied from an empty host directory as OSv manifests do.</summary>
    public void EmptyDirectory(string guestPath)
    {
        string host = Path.Combine(Root, "empty-dir");
        System.IO.Directory.CreateDirectory(host);
        Plan.AddDirectory(guestPath, new SourceLocation("test.manifest", _manifest.Count + 1), host);
        _manifest.Add($"{guestPath}: {host}");
    }

    /// <summary>Writes the manifest for OSv's scripts and returns its path.</summary>
    public string WriteManifest()
    {
        string path = Path.Combine(Root, "usr.manifest");
        System.IO.File.WriteAllText(path, "[manifest]\n" + string.Join("\n", _manifest) + "\n");
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder does not fail a test.
        }
    }

    // Host files get numbered names so that guest names with spaces or odd characters stay in the manifest only.
    private string NextHostPath(string guestPath)
    {
        string extension = Path.GetExtension(guestPath);
        return Path.Combine(HostFolder, $"f{_fileCount++:D4}{(extension.Length <= 8 ? extension : string.Empty)}");
    }
}
