using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Osv.Cli.Output;
using Osv.ImageBuilder;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.ImageBuilder.Inspect;

namespace Osv.Cli.Commands;

/// <summary><c>dotnet osv inspect IMAGE</c>: reads an image back and shows or extracts what it holds.</summary>
internal static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        // DiskImage looks for a ZFS reader by constructor shape, which ZfsReader's optional dataset
        // parameter does not match, so the reader is registered explicitly.
        FileSystemReaders.Register(FileSystemKind.Zfs, FileSystemReaders.IsZfs, partition => new ZfsReader(partition));

        var image = new Argument<string>("IMAGE") { Description = "The image file to read: raw, qcow2 or vmdk (detected from the file's first bytes)." };
        var cat = new Option<string?>("--cat")
        {
            Description = "Write the content of one guest file to standard output, for example --cat /etc/fstab. Default: none (list the files).",
            HelpName = "GUEST_PATH",
        };
        var extract = new Option<string?>("--extract", "-x")
        {
            Description = "Copy the whole guest tree (or the subtree named by --path) into this host folder; it is created when missing. Default: none (list the files).",
            HelpName = "DIR",
        };
        var path = new Option<string?>("--path")
        {
            Description = "With --extract, the guest file or folder to copy. Default: / (everything).",
            HelpName = "GUEST_PATH",
        };
        var cmdline = new Option<bool>("--cmdline") { Description = "Print only the command line stored in the image (nothing for a kernel-less disk). Default: off." };
        var partitions = new Option<bool>("--partitions") { Description = "Print only the MBR partition table: index, type, start and size in bytes. Default: off." };
        var json = new Option<bool>("--json") { Description = "Print the summary, the partition table and the file list as JSON. Default: off." };

        var command = new Command("inspect", "Read an image back: its format, partition table, command line and file list with sizes and types; show one file or extract the tree.")
        {
            image, cat, extract, path, cmdline, partitions, json,
        };
        command.SetAction(parseResult =>
        {
            string imagePath = parseResult.GetRequiredValue(image);
            try
            {
                using DiskImage disk = DiskImage.Open(imagePath);
                if (parseResult.GetValue(cmdline))
                {
                    // Standard output stays empty for a script; the reason goes to standard error.
                    if (disk.CommandLine is null)
                    {
                        console.Error.WriteLine("The image has no command line: it is a kernel-less disk, booted with an external kernel.");
                        return ExitCodes.Success;
                    }

                    console.Out.WriteLine(disk.CommandLine);
                    return ExitCodes.Success;
                }

                if (parseResult.GetValue(partitions))
                {
                    WritePartitions(console.Out, disk);
                    return ExitCodes.Success;
                }

                using IFileSystemReader fileSystem = disk.OpenFileSystem();
                if (parseResult.GetValue(cat) is { } guestFile)
                {
                    return Cat(console, fileSystem, guestFile);
                }

                if (parseResult.GetValue(extract) is { } destination)
                {
                    return TreeExtractor.Extract(console, fileSystem, parseResult.GetValue(path) ?? "/", destination);
                }

                IReadOnlyList<FileSystemEntry> entries = fileSystem.ReadTree();
                if (parseResult.GetValue(json))
                {
                    WriteJson(console.Out, imagePath, disk, fileSystem.Kind, entries);
                }
                else
                {
                    WriteListing(console.Out, imagePath, disk, fileSystem.Kind, entries);
                }

                return ExitCodes.Success;
            }
            catch (FileNotFoundException)
            {
                console.Error.WriteLine($"error OSV6201: The image '{imagePath}' does not exist; check the path.");
                return ExitCodes.Failed;
            }
            catch (InvalidImageException exception)
            {
                console.Error.WriteLine($"error OSV6202: '{imagePath}' is not a valid OSv image: {exception.Message}");
                return ExitCodes.Failed;
            }
            catch (NotSupportedException exception)
            {
                console.Error.WriteLine($"error OSV6203: '{imagePath}' cannot be read: {exception.Message}");
                return ExitCodes.Failed;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"error OSV6204: Reading '{imagePath}' failed: {exception.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    private static int Cat(CliConsole console, IFileSystemReader fileSystem, string guestPath)
    {
        Stream content;
        try
        {
            content = fileSystem.OpenFile(guestPath);
        }
        catch (FileNotFoundException)
        {
            console.Error.WriteLine($"error OSV6205: The image has no regular file '{guestPath}'; list the files with 'dotnet osv inspect IMAGE'.");
            return ExitCodes.Failed;
        }

        using (content)
        {
            console.Out.Flush();
            using Stream output = Console.OpenStandardOutput();
            content.CopyTo(output);
        }

        return ExitCodes.Success;
    }

    private static void WritePartitions(TextWriter writer, DiskImage disk)
    {
        writer.WriteLine("index  type  start (bytes)   size (bytes)");
        foreach (MbrPartition partition in disk.Partitions.Where(p => p.IsUsed))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{partition.Index,5}  0x{partition.Type:x2}  {partition.Offset,13}  {partition.Size,13}"));
        }
    }

    private static void WriteListing(TextWriter writer, string imagePath, DiskImage disk, FileSystemKind kind, IReadOnlyList<FileSystemEntry> entries)
    {
        writer.WriteLine($"image:        {imagePath}");
        writer.WriteLine($"format:       {disk.Format.ToString().ToLowerInvariant()}, virtual size {disk.VirtualSize.ToString(CultureInfo.InvariantCulture)} bytes ({Sizes.Format(disk.VirtualSize)})");
        writer.WriteLine($"command line: {disk.CommandLine ?? "(none: kernel-less disk)"}");
        writer.WriteLine($"filesystem:   {kind.ToString().ToLowerInvariant()} on partition 2");
        writer.WriteLine("partitions:");
        WritePartitions(writer, disk);
        writer.WriteLine("files:");
        foreach (FileSystemEntry entry in entries)
        {
            string type = entry.Kind switch
            {
                FileSystemEntryKind.Directory => "dir ",
                FileSystemEntryKind.Symlink => "link",
                _ => "file",
            };
            string target = entry.SymlinkTarget is null ? string.Empty : " -> " + entry.SymlinkTarget;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{type} {entry.Size,12}  {entry.GuestPath}{target}"));
        }

        long files = entries.Count(e => e.Kind == FileSystemEntryKind.File);
        long bytes = entries.Where(e => e.Kind == FileSystemEntryKind.File).Sum(e => e.Size);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{files} files, {bytes} bytes ({Sizes.Format(bytes)})"));
    }

    private static void WriteJson(TextWriter writer, string imagePath, DiskImage disk, FileSystemKind kind, IReadOnlyList<FileSystemEntry> entries)
    {
        // Written member by member, because serializing an anonymous type needs reflection. The
        // settings match the build report's: indented, readable non-ASCII, no nulls.
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = ImageBuilder.Build.Reports.BuildReportWriter.Options.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("image", imagePath);
            json.WriteString("format", disk.Format.ToString().ToLowerInvariant());
            json.WriteNumber("virtualSize", disk.VirtualSize);
            if (disk.CommandLine is not null)
            {
                json.WriteString("commandLine", disk.CommandLine);
            }

            json.WriteString("fileSystem", kind.ToString().ToLowerInvariant());
            json.WriteStartArray("partitions");
            foreach (MbrPartition partition in disk.Partitions.Where(p => p.IsUsed))
            {
                json.WriteStartObject();
                json.WriteNumber("index", partition.Index);
                json.WriteNumber("type", partition.Type);
                json.WriteNumber("offset", partition.Offset);
                json.WriteNumber("size", partition.Size);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("entries");
            foreach (FileSystemEntry entry in entries)
            {
                json.WriteStartObject();
                json.WriteString("path", entry.GuestPath);
                json.WriteString("kind", entry.Kind.ToString().ToLowerInvariant());
                json.WriteNumber("size", entry.Size);
                if (entry.SymlinkTarget is not null)
                {
                    json.WriteString("target", entry.SymlinkTarget);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
