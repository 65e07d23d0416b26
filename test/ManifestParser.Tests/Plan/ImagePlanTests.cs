using Osv.Plan;

namespace Osv.ManifestParser.Tests.Plan;

public class ImagePlanTests
{
    [Fact]
    public void AddFile_creates_parents_in_order()
    {
        var plan = new ImagePlan();
        plan.AddFile("/usr/lib/libz.so.1", "/host/libz.so.1", 10, origin: null);
        plan.AddFile("/app/hello.so", "/host/hello.so", 20, origin: null);

        string[] paths = plan.Walk().Select(n => n.GuestPath).ToArray();

        Assert.Equal(["/", "/usr", "/usr/lib", "/usr/lib/libz.so.1", "/app", "/app/hello.so"], paths);
    }

    [Fact]
    public void AddFile_replacement_keeps_position()
    {
        var plan = new ImagePlan();
        plan.AddFile("/a", "/host/a1", 1, origin: null);
        plan.AddFile("/b", "/host/b", 1, origin: null);
        plan.AddFile("/a", "/host/a2", 2, origin: null);

        Assert.Equal(["a", "b"], plan.Root.Children.Select(c => c.Name));
        Assert.Equal("/host/a2", Assert.IsType<GuestFile>(plan.Find("/a")).HostPath);
        Assert.Equal(3, plan.Entries.Count);
    }

    [Fact]
    public void AddFile_under_file_throws()
    {
        var plan = new ImagePlan();
        plan.AddFile("/a", "/host/a", 1, origin: null);

        Assert.Throws<InvalidOperationException>(() => plan.AddFile("/a/b", "/host/b", 1, origin: null));
    }

    [Theory]
    [InlineData("/usr//lib", false, "")]
    [InlineData("usr/lib", false, "")]
    [InlineData("/../etc", false, "")]
    [InlineData("/usr/./lib/", true, "/usr/lib")]
    [InlineData("/usr/share/../lib", true, "/usr/lib")]
    [InlineData("/", true, "/")]
    [InlineData("/a\0b", false, "")]
    public void GuestPaths_TryNormalize_cases(string input, bool valid, string expected)
    {
        bool ok = GuestPaths.TryNormalize(input, out string normalized, out string? error);

        Assert.Equal(valid, ok);
        if (valid)
        {
            Assert.Equal(expected, normalized);
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
        }
    }
}
