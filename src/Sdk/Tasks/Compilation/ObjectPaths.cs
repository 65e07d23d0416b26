using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Compilation;

/// <summary>Places object files under the object folder so that two sources never share one.</summary>
internal static class ObjectPaths
{
    /// <summary>
    /// Returns the full path of the object of a source: its <c>ObjectFile</c> metadata when set, else the
    /// source's path relative to the project folder with <c>.o</c> appended (<c>src/main.c</c> becomes
    /// <c>OBJ/src/main.c.o</c>, so <c>main.c</c> and <c>main.cpp</c> do not collide). A source outside the
    /// project folder keeps its relative path with each <c>..</c> replaced by <c>__</c>.
    /// </summary>
    /// <param name="source">The <c>Compile</c> item.</param>
    /// <param name="projectDirectory">The project folder.</param>
    /// <param name="objectDirectory">The full path of the object folder.</param>
    public static string ForSource(ITaskItem source, string projectDirectory, string objectDirectory)
    {
        string explicitPath = source.GetMetadata("ObjectFile");
        if (explicitPath.Length > 0)
        {
            return Path.GetFullPath(explicitPath, projectDirectory);
        }

        string relative = Path.GetRelativePath(projectDirectory, source.GetMetadata("FullPath"));
        if (Path.IsPathRooted(relative))
        {
            // A different root: keep the path below it.
            relative = relative.TrimStart(Path.DirectorySeparatorChar);
        }

        string[] parts = relative.Split(Path.DirectorySeparatorChar);
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i] == "..")
            {
                parts[i] = "__";
            }
        }

        return Path.Combine(objectDirectory, Path.Combine(parts) + ".o");
    }
}
