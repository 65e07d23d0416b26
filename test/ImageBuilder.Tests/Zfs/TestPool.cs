using System.Globalization;
using System.Text.RegularExpressions;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>A pool written for a test, alone in its own temporary folder so that zdb -e -p finds only it.</summary>
internal sealed class TestPool : IDisposable
{
    private TestPool(string folder, string imagePath, long size, ZfsWriterOptions options)
    {
        Folder = folder;
        ImagePath = imagePath;
        Size = size;
        Options = options;
    }

    /// <summary>Gets the folder that holds only the pool file.</summary>
    public string Folder { get; }

    /// <summary>Gets the pool file.</summary>
    public string ImagePath { get; }

    /// <summary>Gets the partition size the writer returned.</summary>
    public long Size { get; }

    /// <summary>Gets the writer options.</summary>
    public ZfsWriterOptions Options { get; }

    /// <summary>Gets the name of the dataset that contains the files.</summary>
    public string FileDataset => Options.DatasetLayout == ZfsDatasetLayout.ChildDataset ? Options.PoolName + "/zfs" : Options.PoolName;

    /// <summary>Writes <paramref name="plan"/> and fails the test on any diagnostic.</summary>
    public static TestPool Write(ImagePlan plan, ZfsWriterOptions options, long? partitionSize = null, long timestamp = 0)
    {
        string folder = Path.Combine(Path.GetTempPath(), "osv-zfs-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string image = Path.Combine(folder, "pool.img");
        var diagnostics = new DiagnosticBag();
        long size;
        using (FileStream stream = File.Create(image))
        {
            size = new ZfsWriter(options).Write(plan, stream, new FileSystemWriteOptions { PartitionSize = partitionSize, Timestamp = timestamp }, diagnostics, TestContext.Current.CancellationToken);
        }

        Assert.Empty(diagnostics);
        Assert.True(size > 0, "The writer reported failure without a diagnostic.");
        return new TestPool(folder, image, size, options);
    }

    /// <summary>Runs zdb -l and checks that all four labels are valid.</summary>
    public void AssertLabelsValid()
    {
        (int exitCode, string output) = Zdb.Run("-l", ImagePath);
        Assert.True(exitCode == 0, $"zdb -l exited with {exitCode}:\n{output}");
        Assert.Contains("labels = 0 1 2 3", output, StringComparison.Ordinal);
        Assert.Contains($"name: '{Options.PoolName}'", output, StringComparison.Ordinal);
        Assert.Empty(Zdb.ProblemLines(output));
    }

    /// <summary>
    /// Imports the pool with zdb, verifies every checksum and counts every block against the space maps. Then
    /// checks that the space the DSL records for the whole pool equals what zdb counted.
    /// </summary>
    public void AssertNoLeaksOrChecksumErrors()
    {
        (int exitCode, string output) = Zdb.Run("-e", "-p", Folder, "-cc", "-b", Options.PoolName);
        Assert.True(exitCode == 0, $"zdb -cc -b exited with {exitCode}:\n{Tail(output)}");
        Assert.Contains("No leaks (block sum matches space maps exactly)", output, StringComparison.Ordinal);
        Assert.Empty(Zdb.ProblemLines(output));

        Match allocated = Regex.Match(output, @"bp allocated:\s+(\d+)");
        Assert.True(allocated.Success, "zdb -b printed no 'bp allocated' total.");
        using FileStream stream = File.OpenRead(ImagePath);
        using var reader = new ZfsReader(stream);
        Assert.Equal(ulong.Parse(allocated.Groups[1].Value, CultureInfo.InvariantCulture), reader.RootDirectoryUsedBytes());
    }

    /// <summary>Dumps every object with zdb -dddd, checks it for problems and returns the file dataset's objects.</summary>
    public ZdbDump DumpFileDataset()
    {
        (int exitCode, string output) = Zdb.Run("-e", "-p", Folder, "-dddd", Options.PoolName);
        Assert.True(exitCode == 0, $"zdb -dddd exited with {exitCode}:\n{Tail(output)}");
        Assert.Empty(Zdb.ProblemLines(output));
        return ZdbDump.Parse(output, FileDataset);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder does not fail a test.
        }
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];
}
