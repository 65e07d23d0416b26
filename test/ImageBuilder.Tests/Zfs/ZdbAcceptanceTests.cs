using Osv.ImageBuilder.FileSystems.Zfs;

namespace Osv.ImageBuilder.Tests.Zfs;

/// <summary>Pools checked by OpenZFS's zdb: labels, checksums, leaks and the dumped file tree.</summary>
public sealed class ZdbAcceptanceTests
{
    [Fact]
    public void SmallTreePassesZdb()
    {
        Zdb.RequireInstalled();
        using var tree = new HostTree();
        tree.AddRandomFile("/etc/hosts", 120, seed: 1);
        tree.AddRandomFile("/app/data.bin", 300_000, seed: 2);
        tree.AddFile("/app/empty", []);
        tree.Plan.AddSymlink("/etc/mnttab", "/proc/mounts", origin: null);
        tree.Plan.AddDirectory("/tmp", origin: null);

        using TestPool pool = TestPool.Write(tree.Plan, new ZfsWriterOptions());

        pool.AssertLabelsValid();
        pool.AssertNoLeaksOrChecksumErrors();
    }
}
