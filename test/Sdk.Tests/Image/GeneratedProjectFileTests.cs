using Osv.Diagnostics;
using Osv.Manifests.Project;
using Osv.Sdk.Tasks.Image;

namespace Osv.Sdk.Tests.Image;

public sealed class GeneratedProjectFileTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("with \"quotes\" and \\backslashes\\")]
    [InlineData("colon: hash # [brackets] {braces} & * ! | > ' %")]
    [InlineData("line\nbreak\ttab")]
    [InlineData("ünïcödé")]
    [InlineData(" leading and trailing blanks ")]
    [InlineData("# msbuild: not an origin")]
    public void Quote_RoundTripsThroughLoader(string value)
    {
        var document = new GeneratedProjectFile("/p/app.osvproj");
        document.Scalar(0, "name", "app", "OsvTargetName");
        document.Scalar(0, "output", "/p/bin", "OutputPath");
        document.Key(0, "command");
        document.Scalar(1, "program", "/app.so", "OsvProgram");
        document.Key(1, "arguments");
        document.Item(2, value, "OsvArguments");
        document.Key(1, "environment");
        document.Scalar(2, "VALUE", value, "OsvEnvironment 'VALUE'");

        var diagnostics = new DiagnosticBag();
        OsvProject? project = OsvProjectLoader.LoadText(document.Text, "/p/obj/osv.yaml", diagnostics);

        Assert.Empty(diagnostics);
        Assert.NotNull(project);
        Assert.Equal([value], project.Command!.Arguments);
        Assert.Equal(value, Assert.Single(project.Command.Environment).Value);
    }

    [Fact]
    public void ReadOrigins_NamesEveryValueLine()
    {
        var document = new GeneratedProjectFile("/p/app.osvproj");
        document.Scalar(0, "name", "app", "OsvTargetName");
        document.Key(0, "files");
        document.Scalar(1, "/a.so", "/p/a.so", "OsvFile 'a.so'");

        IReadOnlyDictionary<int, string> origins = GeneratedProjectFile.ReadOrigins(document.Text);

        Assert.Equal(2, origins.Count);
        Assert.Equal("OsvTargetName", origins[3]);
        Assert.Equal("OsvFile 'a.so'", origins[5]);
    }

    [Theory]
    [InlineData("world", new[] { "world" })]
    [InlineData("  --port 8080  ", new[] { "--port", "8080" })]
    [InlineData("\"two words\" 'single quoted' plain", new[] { "two words", "single quoted", "plain" })]
    [InlineData("a\\ b \"say \\\"hi\\\"\"", new[] { "a b", "say \"hi\"" })]
    [InlineData("''", new[] { "" })]
    [InlineData("", new string[0])]
    public void SplitArguments(string text, string[] expected)
    {
        Assert.True(ArgumentSplitter.TrySplit(text, out List<string> arguments));
        Assert.Equal(expected, arguments);
    }

    [Fact]
    public void SplitArguments_UnclosedQuote()
    {
        Assert.False(ArgumentSplitter.TrySplit("\"open", out _));
    }
}
