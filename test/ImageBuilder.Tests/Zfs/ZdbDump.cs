using System.Globalization;
using System.Text.RegularExpressions;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>
/// The filesystem objects of one dataset as <c>zdb -dddd</c> prints them: type, mode, size, parent, link
/// target and directory entries, turned into paths from the root directory.
/// </summary>
internal sealed partial class ZdbDump
{
    private ZdbDump(Dictionary<long, DumpObject> objects, long root)
    {
        Objects = objects;
        Root = root;
    }

    /// <summary>Gets the dataset's objects by number.</summary>
    public IReadOnlyDictionary<long, DumpObject> Objects { get; }

    /// <summary>Gets the root directory's object number (the master node's ROOT).</summary>
    public long Root { get; }

    /// <summary>Returns whether a line is a directory entry, whose file name may contain any word.</summary>
    public static bool IsDirectoryEntry(string line) => EntryPattern().IsMatch(line);

    /// <summary>Parses the section of <paramref name="output"/> that belongs to <paramref name="dataset"/>.</summary>
    public static ZdbDump Parse(string output, string dataset)
    {
        string header = $"Dataset {dataset} [ZPL]";
        int start = output.IndexOf(header, StringComparison.Ordinal);
        Assert.True(start >= 0, $"zdb -dddd printed no section for '{dataset}'.");
        int end = output.IndexOf("\nDataset ", start + header.Length, StringComparison.Ordinal);
        string section = end < 0 ? output[start..] : output[start..end];

        var objects = new Dictionary<long, DumpObject>();
        DumpObject? current = null;
        long root = -1;
        bool nextIsObject = false;
        foreach (string rawLine in section.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            if (line.TrimStart().StartsWith("Object  lvl", StringComparison.Ordinal))
            {
                nextIsObject = true;
                continue;
            }

            if (nextIsObject)
            {
                nextIsObject = false;
                Match header2 = ObjectPattern().Match(line);
                if (header2.Success)
                {
                    current = new DumpObject(long.Parse(header2.Groups[1].Value, CultureInfo.InvariantCulture), header2.Groups[2].Value.Trim());
                    objects[current.Id] = current;
                }

                continue;
            }

            if (current is null)
            {
                continue;
            }

            Match entry = EntryPattern().Match(line);
            if (entry.Success)
            {
                current.Entries[entry.Groups[1].Value] = (long.Parse(entry.Groups[2].Value, CultureInfo.InvariantCulture), entry.Groups[3].Value);
                continue;
            }

            Match leaves = LeafBlocksPattern().Match(line);
            if (leaves.Success)
            {
                current.Attributes["leaf blocks"] = leaves.Groups[1].Value;
                continue;
            }

            Match attribute = AttributePattern().Match(line);
            if (attribute.Success)
            {
                string name = attribute.Groups[1].Value;
                string value = attribute.Groups[2].Value.Trim();
                current.Attributes[name] = value;
                if (current.Type == "ZFS master node" && name == "ROOT")
                {
                    root = long.Parse(value, CultureInfo.InvariantCulture);
                }
            }

            Match masterEntry = MasterEntryPattern().Match(line);
            if (masterEntry.Success && current.Type == "ZFS master node" && masterEntry.Groups[1].Value == "ROOT")
            {
                root = long.Parse(masterEntry.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        Assert.True(root > 0, $"zdb -dddd of '{dataset}' shows no ROOT in the master node.");
        return new ZdbDump(objects, root);
    }

    /// <summary>Walks the directories from the root and returns every path with its object.</summary>
    public Dictionary<string, DumpObject> Paths()
    {
        var paths = new Dictionary<string, DumpObject>(StringComparer.Ordinal);
        var pending = new Stack<(string Path, long Object)>();
        pending.Push(("/", Root));
        var seen = new HashSet<long>();
        while (pending.Count > 0)
        {
            (string path, long id) = pending.Pop();
            Assert.True(seen.Add(id), $"Object {id} is reached twice (at '{path}').");
            Assert.True(Objects.TryGetValue(id, out DumpObject? node), $"zdb printed no object {id} for '{path}'.");
            paths[path] = node!;
            foreach ((string name, (long child, string _)) in node!.Entries)
            {
                pending.Push((path == "/" ? "/" + name : path + "/" + name, child));
            }
        }

        return paths;
    }

    // "        12    1    16K  1.50K  1.50K     512  1.50K  100.00  ZFS plain file"
    [GeneratedRegex(@"^\s+(\d+)\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.+)$")]
    private static partial Regex ObjectPattern();

    // "\t\tname = 15 (type: Regular File)"
    [GeneratedRegex(@"^\t\t(.+) = (\d+) \(type: ([^)]+)\)\s*$")]
    private static partial Regex EntryPattern();

    // "\tmode\t100644", "\tuid     0", "\ttarget\t/data/x"
    [GeneratedRegex(@"^\t(uid|gid|gen|mode|size|parent|links|pflags|target|atime|mtime|ctime|crtime)\s+(.*)$")]
    private static partial Regex AttributePattern();

    // "\t\tLeaf blocks: 48" in a fat ZAP's statistics
    [GeneratedRegex(@"^\t\tLeaf blocks: (\d+)\s*$")]
    private static partial Regex LeafBlocksPattern();

    // "\t\tROOT = 6 "
    [GeneratedRegex(@"^\t\t(\S+) = (\d+)\s*$")]
    private static partial Regex MasterEntryPattern();
}

/// <summary>One object of a <see cref="ZdbDump"/>.</summary>
/// <param name="Id">The object number.</param>
/// <param name="Type">The DMU type as zdb names it, for example "ZFS plain file".</param>
internal sealed record DumpObject(long Id, string Type)
{
    /// <summary>Gets the SA attributes zdb printed, by name.</summary>
    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the directory entries: name to object number and zdb's type word.</summary>
    public Dictionary<string, (long Object, string Type)> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the mode as a number.</summary>
    public long Mode => Convert.ToInt64(Attributes["mode"], 8);

    /// <summary>Gets the size as a number.</summary>
    public long Size => long.Parse(Attributes["size"], CultureInfo.InvariantCulture);
}
