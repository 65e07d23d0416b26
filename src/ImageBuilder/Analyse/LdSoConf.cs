namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Reads the folders that <c>/etc/ld.so.conf</c> lists, following its <c>include</c> lines, as glibc's
/// ldconfig does when it builds the loader's cache.
/// </summary>
internal static class LdSoConf
{
    /// <summary>The configuration file, relative to the sysroot.</summary>
    public const string Path = "/etc/ld.so.conf";

    // ldconfig follows includes without a depth limit; a cycle is stopped by the visited set, and this
    // bound only stops a pathological tree.
    private const int MaxFiles = 256;

    /// <summary>Returns the listed folders in order, without duplicates, as paths inside the sysroot.</summary>
    public static IReadOnlyList<string> ReadDirectories(HostFileSystem fileSystem)
    {
        var directories = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        ReadFile(fileSystem, Path, directories, visited);
        return directories;
    }

    // One configuration file: a folder a line, "include GLOB" lines, '#' comments, and "hwcap" lines that glibc ignores.
    private static void ReadFile(HostFileSystem fileSystem, string path, List<string> directories, HashSet<string> visited)
    {
        if (visited.Count >= MaxFiles || !visited.Add(path))
        {
            return;
        }

        string hostPath = fileSystem.MapIntoRoot(path);
        string[] lines;
        try
        {
            if (fileSystem.ResolveFile(hostPath, insideRoot: true) is not { } resolved)
            {
                return;
            }

            lines = File.ReadAllLines(resolved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string raw in lines)
        {
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            string line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0 || line.StartsWith("hwcap", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith("include", StringComparison.Ordinal) && line.Length > "include".Length && char.IsWhiteSpace(line["include".Length]))
            {
                foreach (string pattern in line["include".Length..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    string absolute = pattern.StartsWith('/') ? pattern : GetDirectory(path) + "/" + pattern;
                    foreach (string included in Expand(fileSystem, absolute))
                    {
                        ReadFile(fileSystem, included, directories, visited);
                    }
                }

                continue;
            }

            // Old ldconfig syntax allowed "DIR=TYPE"; the type is ignored.
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            string directory = (equals >= 0 ? line[..equals] : line).TrimEnd('/');
            if (directory.StartsWith('/') && !directories.Contains(directory))
            {
                directories.Add(directory);
            }
        }
    }

    // Expands a glob whose wildcards are in the last component, sorted as glob(3) sorts.
    private static string[] Expand(HostFileSystem fileSystem, string pattern)
    {
        string directory = GetDirectory(pattern);
        string name = pattern[(pattern.LastIndexOf('/') + 1)..];
        if (name.IndexOfAny(['*', '?', '[']) < 0)
        {
            return [pattern];
        }

        string hostDirectory = fileSystem.MapIntoRoot(directory);
        if (!Directory.Exists(hostDirectory))
        {
            return [];
        }

        return Directory.EnumerateFiles(hostDirectory, name)
            .Select(f => directory + "/" + System.IO.Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private static string GetDirectory(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}
