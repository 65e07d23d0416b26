using Osv.ImageBuilder.Build.Reports;

namespace Osv.Cli.Tests.Reports;

public class DependencyFileWriterTests
{
    [Fact]
    public void Rule_lists_each_input_once()
    {
        using var writer = new StringWriter();

        DependencyFileWriter.Write("out/app.img", ["osv.yaml", "app.so", "osv.yaml"], writer);

        Assert.Equal("out/app.img: \\\n  osv.yaml \\\n  app.so\n", writer.ToString());
    }

    [Theory]
    [InlineData("my file", "my\\ file")]
    [InlineData("a#b", "a\\#b")]
    [InlineData("$HOME", "$$HOME")]
    public void Escape_make_specials(string path, string expected)
    {
        Assert.Equal(expected, DependencyFileWriter.Escape(path));
    }

    [Fact]
    public void Make_reads_the_rule()
    {
        if (!Processes.OnPath("make"))
        {
            Assert.Skip("make is not installed; run .ci/install-prerequisites.");
        }

        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("in put.so"), "x");
        File.WriteAllText(temp.Combine("app.img"), "image");
        File.SetLastWriteTimeUtc(temp.Combine("app.img"), DateTime.UtcNow.AddHours(-1));
        using (var writer = new StreamWriter(temp.Combine("app.d")))
        {
            DependencyFileWriter.Write("app.img", ["in put.so"], writer);
        }

        File.WriteAllText(temp.Combine("Makefile"), "include app.d\napp.img:\n\t@echo rebuilt\n");

        ProcessOutput make = Processes.Run("make", temp.Path, "-s", "app.img");

        Assert.Equal(0, make.ExitCode);
        Assert.Equal("rebuilt", make.StandardOutput.Trim());
    }
}
