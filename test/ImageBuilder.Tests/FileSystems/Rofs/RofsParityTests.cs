using System.Security.Cryptography;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.Tests.FileSystems;

namespace Osv.ImageBuilder.Tests.FileSystems.Rofs;

/// <summary>The ROFS writer against OSv's gen-rofs-img.py: approved copies always, the script itself when OSV_SRC is set.</summary>
public sealed class RofsParityTests
{
    public static TheoryData<string> Trees => new(TestTrees.RofsApproved);

    [Theory]
    [MemberData(nameof(Trees))]
    public void Writer_MatchesApprovedCopy(string name)
    {
        using TestTree tree = TestTrees.Create(name);
        string approved = ApprovedFiles.PathOf(name, "rofs");
        if (ApprovedFiles.Updating && OsvScripts.Source is not null)
        {
            File.Copy(OsvScripts.GenRofsImage(tree), approved, overwrite: true);
        }

        byte[] ours = Write(tree);

        Assert.True(File.Exists(approved), $"The approved copy '{approved}' is missing; regenerate it with OSV_SRC and OSV_UPDATE_APPROVED=1.");
        ImageAssert.SameBytes(File.ReadAllBytes(approved), ours, $"ROFS of '{name}'");
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void Writer_MatchesGenRofsImg(string name)
    {
        if (OsvScripts.Source is null)
        {
            Assert.Skip("OSV_SRC is not set to an OSv source folder.");
        }

        using TestTree tree = TestTrees.Create(name);
        byte[] expected = File.ReadAllBytes(OsvScripts.GenRofsImage(tree));

        byte[] ours = Write(tree);

        ImageAssert.SameBytes(expected, ours, $"ROFS of '{name}'");
    }

    [Fact]
    public void Writer_SparseFile_MatchesGenRofsImgHash()
    {
        if (OsvScripts.Source is null)
        {
            Assert.Skip("OSV_SRC is not set to an OSv source folder.");
        }

        using TestTree tree = TestTrees.Create("sparse-3g");
        string expectedPath = OsvScripts.GenRofsImage(tree);
        byte[] expected;
        using (FileStream stream = File.OpenRead(expectedPath))
        {
            expected = SHA256.HashData(stream);
        }

        File.Delete(expectedPath);
        string oursPath = Path.Combine(tree.Root, "ours.rofs");
        using (var output = new FileStream(oursPath, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            long size = new RofsWriter().Write(tree.Plan, output, new FileSystemWriteOptions(), new DiagnosticBag(), TestContext.Current.CancellationToken);
            Assert.True(size > 3L << 30, $"The writer returned {size}.");
        }

        byte[] ours;
        using (FileStream stream = File.OpenRead(oursPath))
        {
            ours = SHA256.HashData(stream);
        }

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(ours));
    }

    internal static byte[] Write(TestTree tree)
    {
        var diagnostics = new DiagnosticBag();
        using var output = new MemoryStream();
        long size = new RofsWriter().Write(tree.Plan, output, new FileSystemWriteOptions(), diagnostics, TestContext.Current.CancellationToken);
        Assert.Empty(diagnostics);
        Assert.Equal(output.Length, size);
        return output.ToArray();
    }
}
