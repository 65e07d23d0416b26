using Osv.Cli.Output;
using Osv.ImageBuilder.FileSystems;

namespace Osv.Cli.Commands;

/// <summary>
/// Copies a guest tree read from an image into a host folder. The image is untrusted: every guest
/// path is checked to stay inside the folder, and symbolic links are created last, so that no file
/// is ever written through a link the image made.
/// </summary>
internal static class TreeExtractor
{
    public static int Extract(CliConsole console, IFileSystemReader fileSystem, string guestRoot, string destination)
    {
        string root = Path.GetFullPath(destination);
        string prefix = guestRoot.TrimEnd('/');
        List<FileSystemEntry> selected = fileSystem.ReadTree()
            .Where(e => prefix.Length == 0 || e.GuestPath == prefix || e.GuestPath.StartsWith(prefix + "/", StringComparison.Ordinal))
            .ToList();
        if (selected.Count == 0)
        {
            console.Error.WriteLine($"error OSV6205: The image has nothing at '{guestRoot}'; list the files with 'dotnet osv inspect IMAGE'.");
            return ExitCodes.Failed;
        }

        // A single file extracts to DIR/<name>; a folder keeps the paths below it.
        string parentOfRoot = prefix.Length == 0 ? string.Empty : prefix[..prefix.LastIndexOf('/')];
        Directory.CreateDirectory(root);
        int files = 0;
        foreach (FileSystemEntry entry in selected.Where(e => e.Kind != FileSystemEntryKind.Symlink))
        {
            string? host = HostPath(root, entry.GuestPath[parentOfRoot.Length..]);
            if (host is null)
            {
                console.Error.WriteLine($"warning OSV6206: Skipped '{entry.GuestPath}', whose path would leave '{root}'.");
                continue;
            }

            if (entry.Kind == FileSystemEntryKind.Directory)
            {
                Directory.CreateDirectory(host);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(host)!);
            using Stream content = fileSystem.OpenFile(entry.GuestPath);
            using var output = new FileStream(host, FileMode.Create, FileAccess.Write);
            content.CopyTo(output);
            files++;
        }

        int links = 0;
        foreach (FileSystemEntry entry in selected.Where(e => e.Kind == FileSystemEntryKind.Symlink))
        {
            string? host = HostPath(root, entry.GuestPath[parentOfRoot.Length..]);
            if (host is null || Path.Exists(host))
            {
                console.Error.WriteLine($"warning OSV6206: Skipped the link '{entry.GuestPath}', whose path leaves '{root}' or already exists.");
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(host)!);
            File.CreateSymbolicLink(host, entry.SymlinkTarget ?? string.Empty);
            links++;
        }

        console.Error.WriteLine($"Extracted {Count(files, "file")} and {Count(links, "symbolic link")} into {root}.");
        return ExitCodes.Success;
    }

    // Maps a guest path to a host path under root, or returns null for '.', '..' or empty components.
    private static string? HostPath(string root, string guestPath)
    {
        string[] components = guestPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (components.Length == 0 || components.Any(c => c is "." or ".." || c.Contains('\0', StringComparison.Ordinal)))
        {
            return null;
        }

        string host = Path.GetFullPath(Path.Combine([root, .. components]));
        return host.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? host : null;
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";
}
