using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Osv.ImageBuilder.Kernel;

// Writes a KernelBundleDescription as osv-kernel.yaml through YamlDotNet's node model: the keys in the
// order KernelDescriptionReader lists them, camelCase, and unset values left out. The node model needs
// no reflection, so the tool also works when compiled ahead of time.
internal static class KernelDescriptionWriter
{
    public static string Write(KernelBundleDescription description, string headerComment)
    {
        var root = new YamlMappingNode();
        Add(root, "formatVersion", description.FormatVersion);
        Add(root, "name", description.Name);
        Add(root, "osvVersion", description.OsvVersion);
        Add(root, "architecture", description.Architecture);
        Add(root, "machine", description.Machine);
        Add(root, "acceptedElfTypes", description.AcceptedElfTypes);
        if (description.KernelAddress is { } range)
        {
            var node = new YamlMappingNode();
            Add(node, "start", range.Start);
            Add(node, "end", range.End);
            root.Add("kernelAddress", node);
        }

        Add(root, "bootImage", description.BootImage);
        Add(root, "kernelElf", description.KernelElf);
        if (description.CommandLine is { } area)
        {
            var node = new YamlMappingNode();
            Add(node, "offset", area.Offset);
            Add(node, "maxBytes", area.MaxBytes);
            root.Add("commandLine", node);
        }

        Add(root, "filesystems", description.Filesystems);
        if (description.Zfs is { } zfs)
        {
            var node = new YamlMappingNode();
            Add(node, "pool", zfs.Pool);
            Add(node, "rootDataset", zfs.RootDataset);
            root.Add("zfs", node);
        }

        Add(root, "providedSonames", description.ProvidedSonames);
        Add(root, "exportedSymbols", description.ExportedSymbols);
        Add(root, "headers", description.Headers);
        if (description.BaseFiles is { } baseFiles)
        {
            var list = new YamlSequenceNode();
            foreach (KernelBundleDescription.BaseFile file in baseFiles)
            {
                var node = new YamlMappingNode();
                Add(node, "guest", file.Guest);
                Add(node, "host", file.Host);
                Add(node, "content", file.Content);
                Add(node, "link", file.Link);
                if (file.Directory is { } directory)
                {
                    node.Add("directory", directory ? "true" : "false");
                }

                Add(node, "filesystems", file.Filesystems);
                list.Add(node);
            }

            root.Add("baseFiles", list);
        }

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        writer.Write("# " + headerComment + "\n");
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static void Add(YamlMappingNode mapping, string key, string? value)
    {
        if (value is not null)
        {
            // Quoted when plain style would read back as another type or as null (true, 12, ~, "").
            bool ambiguous = value.Length == 0 || value is "~" or "null" or "true" or "false" || long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
            mapping.Add(key, new YamlScalarNode(value) { Style = ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Any });
        }
    }

    private static void Add(YamlMappingNode mapping, string key, long? value)
    {
        if (value is { } number)
        {
            mapping.Add(key, number.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Add(YamlMappingNode mapping, string key, List<string>? values)
    {
        if (values is not null)
        {
            mapping.Add(key, new YamlSequenceNode(values.Select(v => new YamlScalarNode(v))));
        }
    }
}
