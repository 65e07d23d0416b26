using System.Diagnostics.CodeAnalysis;
using Osv.Plan;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Resolves guest paths in an image plan as OSv's VFS would at run time: symbolic links are followed
/// and <c>.</c> and <c>..</c> are applied, giving the canonical path that OSv's loader gets from
/// realpath() (core/elf.cc canonicalize()).
/// </summary>
internal sealed class GuestTree
{
    // Linux's limit on symbolic links followed in one lookup (MAXSYMLINKS); OSv's VFS has a similar bound.
    private const int MaxLinkHops = 40;

    private readonly ImagePlan _plan;

    public GuestTree(ImagePlan plan)
    {
        _plan = plan;
    }

    /// <summary>Resolves <paramref name="path"/> to a regular file, following every symbolic link.</summary>
    /// <param name="path">An absolute guest path; it need not be normalised.</param>
    /// <param name="canonicalPath">The path of the file with no link, <c>.</c> or <c>..</c> left.</param>
    /// <param name="file">The file.</param>
    /// <returns>False when the path does not exist, ends in a directory, loops, or climbs through a file.</returns>
    public bool TryResolveFile(string path, [NotNullWhen(true)] out string? canonicalPath, [NotNullWhen(true)] out GuestFile? file)
    {
        canonicalPath = null;
        file = null;
        if (!TryResolve(path, out string? resolved, out GuestNode? node) || node is not GuestFile regular)
        {
            return false;
        }

        canonicalPath = resolved;
        file = regular;
        return true;
    }

    // Walks the components from the root; a link splices its target in front of the components left.
    private bool TryResolve(string path, [NotNullWhen(true)] out string? canonicalPath, [NotNullWhen(true)] out GuestNode? node)
    {
        canonicalPath = null;
        node = null;
        if (path.Length == 0 || path[0] != '/' || path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var pending = new Stack<string>(Components(path).Reverse());
        var walked = new List<GuestDirectory> { _plan.Root };
        GuestNode current = _plan.Root;
        int hops = 0;
        while (pending.Count > 0)
        {
            string component = pending.Pop();
            if (component == ".")
            {
                continue;
            }

            if (current is not GuestDirectory directory)
            {
                return false;
            }

            if (component == "..")
            {
                if (walked.Count > 1)
                {
                    walked.RemoveAt(walked.Count - 1);
                }

                current = walked[^1];
                continue;
            }

            GuestNode? child = directory.Find(component);
            switch (child)
            {
                case null:
                    return false;
                case GuestSymlink link:
                    if (++hops > MaxLinkHops || link.Target.Length == 0)
                    {
                        return false;
                    }

                    foreach (string part in Components(link.Target).Reverse())
                    {
                        pending.Push(part);
                    }

                    if (link.Target[0] == '/')
                    {
                        walked.RemoveRange(1, walked.Count - 1);
                        current = _plan.Root;
                    }

                    continue;
                case GuestDirectory childDirectory:
                    walked.Add(childDirectory);
                    current = childDirectory;
                    continue;
                default:
                    current = child;
                    continue;
            }
        }

        node = current;
        canonicalPath = current.GuestPath;
        return true;
    }

    private static string[] Components(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
