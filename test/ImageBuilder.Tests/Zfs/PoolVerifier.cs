using System.Globalization;
using System.Text.RegularExpressions;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>Checks a written pool against its plan, with zdb and with the <see cref="ZfsReader"/>.</summary>
internal static partial class PoolVerifier
{
    /// <summary>Compares the objects zdb dumps for the file dataset with the plan: names, kinds, sizes, modes, targets.</summary>
    public static void AssertDumpMatchesPlan(ZdbDump dump, ImagePlan plan)
    {
        Dictionary<string, DumpObject> paths = dump.Paths();
        var expected = plan.Walk().ToDictionary(n => n.GuestPath, StringComparer.Ordinal);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), paths.Keys.Order(StringComparer.Ordinal));
        foreach ((string path, GuestNode node) in expected)
        {
            DumpObject dumped = paths[path];
            switch (node)
            {
                case GuestDirectory directory:
                    Assert.Equal("ZFS directory", dumped.Type);
                    Assert.Equal(0x4000, dumped.Mode & 0xF000);
                    Assert.Equal(directory.Children.Count + 2, dumped.Size);
                    Assert.Equal(2 + directory.Children.OfType<GuestDirectory>().Count(), long.Parse(dumped.Attributes["links"], CultureInfo.InvariantCulture));
                    break;
                case GuestFile file:
                    Assert.Equal("ZFS plain file", dumped.Type);
                    Assert.Equal(0x8000, dumped.Mode & 0xF000);
                    Assert.True(file.Size == dumped.Size, $"'{path}' is {dumped.Size} bytes in zdb's dump, {file.Size} in the plan.");
                    break;
                case GuestSymlink link:
                    Assert.Equal(0xA000, dumped.Mode & 0xF000);
                    Assert.Equal(link.Target, dumped.Attributes["target"]);
                    Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(link.Target), dumped.Size);
                    break;
            }

            if (node.Parent is not null)
            {
                long parent = long.Parse(dumped.Attributes["parent"], CultureInfo.InvariantCulture);
                Assert.Same(paths[node.Parent.GuestPath], dump.Objects[parent]);
            }
        }
    }

    /// <summary>Reads the pool back with the <see cref="ZfsReader"/> and compares the tree and every file's bytes.</summary>
    /// <param name="imagePath">The pool file.</param>
    /// <param name="plan">The plan it was written from.</param>
    /// <param name="expectedContent">Opens the expected content of a guest path instead of its host file, or returns null.</param>
    public static void AssertReaderMatchesPlan(string imagePath, ImagePlan plan, Func<string, Stream?>? expectedContent = null)
    {
        using FileStream stream = File.OpenRead(imagePath);
        using var reader = new ZfsReader(stream);
        IReadOnlyList<FileSystemEntry> entries = reader.ReadTree();
        var expected = plan.Walk().Where(n => n.Parent is not null).ToDictionary(n => n.GuestPath, StringComparer.Ordinal);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), entries.Select(e => e.GuestPath).Order(StringComparer.Ordinal));
        foreach (FileSystemEntry entry in entries)
        {
            GuestNode node = expected[entry.GuestPath];
            switch (node)
            {
                case GuestDirectory:
                    Assert.Equal(FileSystemEntryKind.Directory, entry.Kind);
                    break;
                case GuestSymlink link:
                    Assert.Equal(FileSystemEntryKind.Symlink, entry.Kind);
                    Assert.Equal(link.Target, entry.SymlinkTarget);
                    break;
                case GuestFile file:
                    Assert.Equal(FileSystemEntryKind.File, entry.Kind);
                    Assert.Equal(file.Size, entry.Size);
                    using (Stream content = reader.OpenFile(entry.GuestPath))
                    using (Stream host = expectedContent?.Invoke(entry.GuestPath) ?? File.OpenRead(file.HostPath))
                    {
                        long difference = FirstDifference(content, host);
                        Assert.True(difference < 0, $"'{entry.GuestPath}' reads back with other bytes than its host file, from byte {difference}.");
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Reads the first block of a file with zdb -R, independently of this project's reader, and compares it with
    /// the host file's first bytes.
    /// </summary>
    public static void AssertZdbReadsFirstBlock(TestPool pool, ZdbDump dump, string guestPath, string hostPath)
    {
        DumpObject file = dump.Paths()[guestPath];
        string dataset = pool.Options.DatasetLayout == ZfsDatasetLayout.ChildDataset ? pool.FileDataset : pool.Options.PoolName + "/";
        (int exitCode, string output) = Zdb.Run("-e", "-p", pool.Folder, "-ddddd", dataset, file.Id.ToString(CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, $"zdb -ddddd of object {file.Id} exited with {exitCode}:\n{output}");
        Match block = FirstDataBlock().Match(output);
        Assert.True(block.Success, $"zdb printed no level-0 block for '{guestPath}':\n{output}");
        string offset = block.Groups[1].Value;
        string size = block.Groups[2].Value;
        Assert.Equal(block.Groups[2].Value, block.Groups[3].Value); // uncompressed: physical size equals logical size

        byte[] raw = Zdb.RunBinary("-e", "-p", pool.Folder, "-R", pool.Options.PoolName, $"0:{offset}:{size}:r");
        int length = int.Parse(size, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        byte[] expected = new byte[length];
        using (FileStream host = File.OpenRead(hostPath))
        {
            host.ReadAtLeast(expected, length, throwOnEndOfStream: false);
        }

        Assert.Equal(length, raw.Length);
        Assert.True(expected.AsSpan().SequenceEqual(raw), $"zdb -R reads other bytes for the first block of '{guestPath}' than the host file holds.");
    }

    // Compares two streams chunk by chunk; returns the offset of the first chunk that differs, or -1.
    private static long FirstDifference(Stream actual, Stream expected)
    {
        var left = new byte[1 << 20];
        var right = new byte[1 << 20];
        long offset = 0;
        while (true)
        {
            int leftCount = actual.ReadAtLeast(left, left.Length, throwOnEndOfStream: false);
            int rightCount = expected.ReadAtLeast(right, right.Length, throwOnEndOfStream: false);
            if (!left.AsSpan(0, leftCount).SequenceEqual(right.AsSpan(0, rightCount)))
            {
                return offset;
            }

            if (leftCount == 0)
            {
                return -1;
            }

            offset += leftCount;
        }
    }

    // "               0 L0 0:9400:c00 c00L/c00P F=1 B=4/4 cksum=..."
    [GeneratedRegex(@"\s0 L0 0:([0-9a-f]+):([0-9a-f]+) ([0-9a-f]+)L/([0-9a-f]+)P")]
    private static partial Regex FirstDataBlock();
}
