namespace Osv.Plan;

/// <summary>Normalises and validates guest paths.</summary>
public static class GuestPaths
{
    /// <summary>
    /// Normalises <paramref name="path"/>: it must be absolute, contain no NUL and no empty component
    /// (<c>a//b</c>); <c>.</c> components are dropped, <c>..</c> removes the previous component and must
    /// not climb above the root, and one trailing <c>/</c> is removed.
    /// </summary>
    /// <param name="path">The guest path as written.</param>
    /// <param name="normalized">The normalised path, for example <c>/usr/lib</c>, or <c>/</c> for the root.</param>
    /// <param name="error">Why the path is invalid, as a sentence that ends with the fix.</param>
    /// <returns>True when the path is valid.</returns>
    public static bool TryNormalize(string path, out string normalized, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        normalized = string.Empty;

        if (path.Length == 0)
        {
            error = "The guest path is empty; write an absolute path such as /app/hello.so.";
            return false;
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            error = $"The guest path '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL byte; remove it.";
            return false;
        }

        if (path[0] != '/')
        {
            error = $"The guest path '{path}' is not absolute; start it with '/'.";
            return false;
        }

        // One trailing slash marks a directory in manifests; more than one is an empty component.
        string trimmed = path.Length > 1 && path[^1] == '/' ? path[..^1] : path;
        var components = new List<string>();
        foreach (string component in trimmed.Split('/').Skip(1))
        {
            if (component.Length == 0)
            {
                if (trimmed == "/")
                {
                    break;
                }

                error = $"The guest path '{path}' has an empty component ('//'); remove the extra '/'.";
                return false;
            }

            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (components.Count == 0)
                {
                    error = $"The guest path '{path}' climbs above the root with '..'; remove the '..'.";
                    return false;
                }

                components.RemoveAt(components.Count - 1);
                continue;
            }

            components.Add(component);
        }

        normalized = "/" + string.Join('/', components);
        error = null;
        return true;
    }

    /// <summary>Splits a normalised guest path into its components; the root gives none.</summary>
    public static string[] Split(string normalizedPath) =>
        normalizedPath == "/" ? [] : normalizedPath[1..].Split('/');
}
