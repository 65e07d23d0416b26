namespace Osv.Sdk.Tasks.Compilation;

/// <summary>Finds a program the way a shell does: a name with a slash is a path, anything else is looked up on PATH.</summary>
internal static class ToolLocator
{
    /// <summary>Returns the full path of a program, or null when it does not exist.</summary>
    /// <param name="program">A program name such as <c>gcc</c>, or a path such as <c>/usr/bin/gcc-12</c>.</param>
    /// <param name="workingDirectory">The folder a relative path is relative to.</param>
    public static string? Find(string program, string workingDirectory)
    {
        if (string.IsNullOrWhiteSpace(program))
        {
            return null;
        }

        if (program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            string path = Path.GetFullPath(program, workingDirectory);
            return File.Exists(path) ? path : null;
        }

        string? searchPath = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(searchPath))
        {
            return null;
        }

        foreach (string directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
