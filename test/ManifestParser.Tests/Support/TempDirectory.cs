namespace Osv.ManifestParser.Tests.Support;

/// <summary>A fresh directory under the system temp folder, deleted on dispose, with helpers to build host trees.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("osv-manifest-tests-").FullName;
    }

    public string Path { get; }

    /// <summary>Returns the absolute path of <paramref name="relative"/> inside the directory.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes a file with the given content, creating its parent directories.</summary>
    public string File(string relative, string content = "x")
    {
        string path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Creates a directory and its parents.</summary>
    public string Dir(string relative) => Directory.CreateDirectory(this[relative]).FullName;

    /// <summary>Creates a symbolic link at <paramref name="relative"/> whose target is stored as given.</summary>
    public string Link(string relative, string target)
    {
        string path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the test result matters more.
        }
    }
}
