using System.Globalization;
using Osv.Manifests.Project;
using YamlDotNet.RepresentationModel;

namespace Osv.ImageBuilder.Kernel;

// Fills a KernelBundleDescription from osv-kernel.yaml through YamlDotNet's node model. The
// reflection-based deserializer cannot run in the natively compiled tool, and setting it up took
// about 50 ms of each build. Text that is not YAML, a value of the wrong shape or an unknown key
// throws ShapeException with the position, which the loader reports as InvalidYaml at that line.
internal static class KernelDescriptionReader
{
    public static KernelBundleDescription? Read(string text)
    {
        if (!YamlText.TryLoad(text, out YamlStream stream, out string? problem, out int line, out int column))
        {
            throw new ShapeException(line, column, problem!);
        }

        if (stream.Documents.Count == 0 || YamlValueReader.IsNull(stream.Documents[0].RootNode))
        {
            return null;
        }

        var description = new KernelBundleDescription();
        foreach ((string key, YamlNode value) in Entries(stream.Documents[0].RootNode, "the kernel description"))
        {
            switch (key)
            {
                case "formatVersion": description.FormatVersion = Int32(value, key); break;
                case "name": description.Name = Text(value, key); break;
                case "osvVersion": description.OsvVersion = Text(value, key); break;
                case "architecture": description.Architecture = Text(value, key); break;
                case "machine": description.Machine = Int32(value, key); break;
                case "acceptedElfTypes": description.AcceptedElfTypes = TextList(value, key); break;
                case "kernelAddress": description.KernelAddress = ReadAddressRange(value, key); break;
                case "bootImage": description.BootImage = Text(value, key); break;
                case "kernelElf": description.KernelElf = Text(value, key); break;
                case "commandLine": description.CommandLine = ReadCommandLine(value, key); break;
                case "filesystems": description.Filesystems = TextList(value, key); break;
                case "zfs": description.Zfs = ReadZfs(value, key); break;
                case "providedSonames": description.ProvidedSonames = TextList(value, key); break;
                case "exportedSymbols": description.ExportedSymbols = Text(value, key); break;
                case "headers": description.Headers = TextList(value, key); break;
                case "baseFiles": description.BaseFiles = ReadBaseFiles(value, key); break;
                default: throw UnknownKey(value, key, "the kernel description");
            }
        }

        return description;
    }

    private static KernelBundleDescription.AddressRange? ReadAddressRange(YamlNode node, string key)
    {
        if (YamlValueReader.IsNull(node))
        {
            return null;
        }

        var range = new KernelBundleDescription.AddressRange();
        foreach ((string name, YamlNode value) in Entries(node, key))
        {
            switch (name)
            {
                case "start": range.Start = Text(value, key + ".start"); break;
                case "end": range.End = Text(value, key + ".end"); break;
                default: throw UnknownKey(value, name, key);
            }
        }

        return range;
    }

    private static KernelBundleDescription.CommandLineArea? ReadCommandLine(YamlNode node, string key)
    {
        if (YamlValueReader.IsNull(node))
        {
            return null;
        }

        var area = new KernelBundleDescription.CommandLineArea();
        foreach ((string name, YamlNode value) in Entries(node, key))
        {
            switch (name)
            {
                case "offset": area.Offset = Int64(value, key + ".offset"); break;
                case "maxBytes": area.MaxBytes = Int64(value, key + ".maxBytes"); break;
                default: throw UnknownKey(value, name, key);
            }
        }

        return area;
    }

    private static KernelBundleDescription.ZfsLayout? ReadZfs(YamlNode node, string key)
    {
        if (YamlValueReader.IsNull(node))
        {
            return null;
        }

        var layout = new KernelBundleDescription.ZfsLayout();
        foreach ((string name, YamlNode value) in Entries(node, key))
        {
            switch (name)
            {
                case "pool": layout.Pool = Text(value, key + ".pool"); break;
                case "rootDataset": layout.RootDataset = Text(value, key + ".rootDataset"); break;
                default: throw UnknownKey(value, name, key);
            }
        }

        return layout;
    }

    private static List<KernelBundleDescription.BaseFile>? ReadBaseFiles(YamlNode node, string key)
    {
        if (YamlValueReader.IsNull(node))
        {
            return null;
        }

        var files = new List<KernelBundleDescription.BaseFile>();
        foreach (YamlNode item in Items(node, key))
        {
            string itemKey = $"{key}[{files.Count}]";
            var file = new KernelBundleDescription.BaseFile();
            foreach ((string name, YamlNode value) in Entries(item, itemKey))
            {
                switch (name)
                {
                    case "guest": file.Guest = Text(value, itemKey + ".guest"); break;
                    case "host": file.Host = Text(value, itemKey + ".host"); break;
                    case "content": file.Content = Text(value, itemKey + ".content"); break;
                    case "link": file.Link = Text(value, itemKey + ".link"); break;
                    case "directory": file.Directory = Boolean(value, itemKey + ".directory"); break;
                    case "filesystems": file.Filesystems = TextList(value, itemKey + ".filesystems"); break;
                    default: throw UnknownKey(value, name, itemKey);
                }
            }

            files.Add(file);
        }

        return files;
    }

    // The entries of a mapping in document order; keys must be plain scalars.
    private static IEnumerable<(string Key, YamlNode Value)> Entries(YamlNode node, string mappingName)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw Wrong(node, $"{mappingName} must be a mapping of keys");
        }

        foreach ((YamlNode keyNode, YamlNode value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                throw Wrong(keyNode, $"a key of {mappingName} must be a plain name");
            }

            yield return (key, value);
        }
    }

    private static IList<YamlNode> Items(YamlNode node, string key) =>
        node is YamlSequenceNode sequence ? sequence.Children : throw Wrong(node, $"'{key}' must be a list");

    private static List<string>? TextList(YamlNode node, string key)
    {
        if (YamlValueReader.IsNull(node))
        {
            return null;
        }

        var values = new List<string>();
        foreach (YamlNode item in Items(node, key))
        {
            values.Add(Text(item, key) ?? throw Wrong(item, $"an item of '{key}' must not be empty"));
        }

        return values;
    }

    private static string? Text(YamlNode node, string key)
    {
        if (YamlValueReader.IsNull(node))
        {
            return null;
        }

        return node is YamlScalarNode scalar ? scalar.Value ?? string.Empty : throw Wrong(node, $"'{key}' must be a single value, not a list or mapping");
    }

    private static int? Int32(YamlNode node, string key)
    {
        long? value = Int64(node, key);
        if (value is null)
        {
            return null;
        }

        if (value is < int.MinValue or > int.MaxValue)
        {
            throw Wrong(node, $"'{key}' is out of range: {value}");
        }

        return (int)value;
    }

    private static long? Int64(YamlNode node, string key)
    {
        string? text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw Wrong(node, $"'{key}' must be a whole number, not '{text}'");
    }

    private static bool? Boolean(YamlNode node, string key)
    {
        string? text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        return bool.TryParse(text, out bool value) ? value : throw Wrong(node, $"'{key}' must be true or false, not '{text}'");
    }

    private static ShapeException UnknownKey(YamlNode value, string key, string mappingName) =>
        new((int)value.Start.Line, (int)value.Start.Column, $"'{key}' is not a key of {mappingName}.");

    private static ShapeException Wrong(YamlNode node, string problem) =>
        new((int)node.Start.Line, (int)node.Start.Column, char.ToUpperInvariant(problem[0]) + problem[1..] + ".");

    /// <summary>Text that is not well-formed YAML, or a document that does not have the description's shape.</summary>
    internal sealed class ShapeException(int line, int column, string message) : Exception(message)
    {
        public int Line { get; } = line;

        public int Column { get; } = column;
    }
}
