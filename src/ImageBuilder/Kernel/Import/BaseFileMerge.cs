using Osv.ImageBuilder.FileSystems;

namespace Osv.ImageBuilder.Kernel.Import;

// Merges the base file lists of several filesystems into one list whose entries name the filesystems
// they apply to, so that filtering it by any one filesystem gives back that filesystem's list in order.
internal static class BaseFileMerge
{
    // Merges the lists; an entry equal in several lists appears once.
    public static List<(BaseFileSource File, List<FileSystemKind> FileSystems)> Merge(IEnumerable<(FileSystemKind FileSystem, List<BaseFileSource> Files)> lists)
    {
        var merged = new List<(BaseFileSource File, List<FileSystemKind> FileSystems)>();
        foreach ((FileSystemKind fileSystem, List<BaseFileSource> files) in lists)
        {
            // Each file goes after the previous file of the same list: onto an equal entry further on,
            // or inserted right there. Matching only forward keeps every list's order.
            int cursor = -1;
            foreach (BaseFileSource file in files)
            {
                int match = merged.FindIndex(cursor + 1, m => m.File == file && !m.FileSystems.Contains(fileSystem));
                if (match >= 0)
                {
                    merged[match].FileSystems.Add(fileSystem);
                    cursor = match;
                }
                else
                {
                    merged.Insert(cursor + 1, (file, [fileSystem]));
                    cursor++;
                }
            }
        }

        return merged;
    }
}
