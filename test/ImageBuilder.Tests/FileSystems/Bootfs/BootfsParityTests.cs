using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.ImageBuilder.Tests.FileSystems;

namespace Osv.ImageBuilder.Tests.FileSystems.Bootfs;

/// <summary>The bootfs writer against OSv's mkbootfs.py: approved copies always, the script itself when OSV_SRC is set.</summary>
public sealed class BootfsParityTests
{
    public static TheoryData<string> Trees => new(TestTrees.BootfsApproved);

    [Theory]
    [MemberData(nameof(Trees))]
    public void Writer_MatchesApprovedCopy(string name)
    {
        using TestTree tree = TestTrees.Create(name);
        string approved = ApprovedFiles.PathOf(name, "bootfs");
        if (ApprovedFiles.Updating && OsvScripts.Source is not null)
        {
            File.Copy(OsvScripts.MkBootfs(tree), approved, overwrite: true);
        }

        byte[] ours = Write(tree);

        Assert.True(File.Exists(approved), $"The approved copy '{approved}' is missing; regenerate it with OSV_SRC and OSV_UPDATE_APPROVED=1.");
        ImageAssert.SameBytes(File.ReadAllBytes(approved), ours, $"bootfs of '{name}'");
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void Writer_MatchesMkbootfs(string name)
    {
        if (OsvScripts.Source is null)
        {
            Assert.Skip("OSV_SRC is not set to an OSv source folder.");
        }

        using TestTree tree = TestTrees.Create(name);
        byte[] expected = File.ReadAllBytes(OsvScripts.MkBootfs(tree));

        byte[] ours = Write(tree);

        ImageAssert.SameBytes(expected, ours, $"bootfs of '{name}'");
    }

    internal static byte[] Write(TestTree tree)
    {
        var diagnostics = new DiagnosticBag();
        using var output = new MemoryStream();
        long size = new BootfsWriter().Write(tree.Plan, output, new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken);
        Assert.Empty(diagnostics);
        Assert.Equal(output.Length, size);
        return output.ToArray();
    }
}
