using System.Text;
using Osv.Diagnostics;
using Osv.Manifests.Project;

namespace Osv.ManifestParser.Tests.Project;

public class OsvCommandLineTests
{
    [Fact]
    public void Program_and_plain_arguments()
    {
        string? line = Format(new ProjectCommand { Program = "/hello.so", Arguments = ["a", "--port=8080"] });

        Assert.Equal("/hello.so a --port=8080", line);
    }

    [Fact]
    public void Options_come_first_in_order()
    {
        var command = new ProjectCommand
        {
            Program = "/app/server.so",
            Arguments = ["x"],
            Environment = [new("PORT", "8080"), new("MODE", "prod")],
            WorkingDirectory = "/app",
            KernelOptions = ["--verbose", "--nomount"],
        };

        Assert.Equal("--verbose --nomount --env=PORT=8080 --env=MODE=prod --cwd=/app /app/server.so x", Format(command));
    }

    [Theory]
    [InlineData("a b", "\"a b\"")]
    [InlineData("", "\"\"")]
    [InlineData("a;b", "\"a;b\"")]
    [InlineData("a&b", "\"a&b\"")]
    [InlineData("wow!", "\"wow!\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData(@"C:\dir", "\"C:\\\\dir\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("line\nbreak", "\"line\\nbreak\"")]
    [InlineData("plain-word_1.2/x=y", "plain-word_1.2/x=y")]
    public void Word_quoting(string word, string expected)
    {
        Assert.Equal(expected, OsvCommandLine.QuoteWord(word));
    }

    [Fact]
    public void Quoted_words_round_trip()
    {
        var random = new Random(31337);
        const string alphabet = " ;&!\"\\abc/-=$'\t\n\r\a\b\f\v{}";
        for (int i = 0; i < 2000; i++)
        {
            var builder = new StringBuilder();
            int length = random.Next(0, 12);
            for (int c = 0; c < length; c++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            string word = builder.ToString();
            string quoted = OsvCommandLine.QuoteWord(word)!;

            Assert.Equal([word], OsvCommandGrammar.Parse(quoted));
        }
    }

    [Fact]
    public void Command_line_round_trips()
    {
        string[] arguments = ["a b", "", "x;y", "q\"uote", "back\\slash", "plain"];
        string line = Format(new ProjectCommand { Program = "/p.so", Arguments = arguments })!;

        Assert.Equal(["/p.so", .. arguments], OsvCommandGrammar.Parse(line));
    }

    [Fact]
    public void Blank_in_environment_is_escaped()
    {
        string? line = Format(new ProjectCommand { Program = "/p", Environment = [new("MSG", "a b\tc")] });

        Assert.Equal("--env=MSG=a\\ b\\\tc /p", line);
    }

    [Fact]
    public void Backslash_in_environment_rejected()
    {
        var diagnostics = new DiagnosticBag();

        string? line = OsvCommandLine.Format(new ProjectCommand { Program = "/p", Environment = [new("P", @"a\b")] }, diagnostics);

        Assert.Null(line);
        Assert.Equal(ProjectCodes.UnrepresentableCommandLine, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Non_ascii_argument_rejected()
    {
        var diagnostics = new DiagnosticBag();

        string? line = OsvCommandLine.Format(new ProjectCommand { Program = "/p", Arguments = ["héllo"] }, diagnostics);

        Assert.Null(line);
        Assert.Equal(ProjectCodes.UnrepresentableCommandLine, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Dash_program_rejected()
    {
        var diagnostics = new DiagnosticBag();

        Assert.Null(OsvCommandLine.Format(new ProjectCommand { Program = "-p" }, diagnostics));
        Assert.Equal(ProjectCodes.UnrepresentableCommandLine, Assert.Single(diagnostics).Code);
    }

    [Theory]
    [InlineData("verbose")]
    [InlineData("-v")]
    [InlineData("--")]
    public void Kernel_option_needs_two_dashes(string option)
    {
        var diagnostics = new DiagnosticBag();

        Assert.Null(OsvCommandLine.Format(new ProjectCommand { Program = "/p", KernelOptions = [option] }, diagnostics));
        Assert.Equal(ProjectCodes.InvalidOption, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Environment_name_with_equals_rejected()
    {
        var diagnostics = new DiagnosticBag();

        Assert.Null(OsvCommandLine.Format(new ProjectCommand { Program = "/p", Environment = [new("A=B", "c")] }, diagnostics));
        Assert.Equal(ProjectCodes.InvalidOption, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Dollar_is_noted()
    {
        var diagnostics = new DiagnosticBag();

        string? line = OsvCommandLine.Format(new ProjectCommand { Program = "/p", Arguments = ["$PORT"] }, diagnostics);

        Assert.Equal("/p $PORT", line);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ProjectCodes.EnvironmentReference, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
    }

    [Fact]
    public void Project_without_command_has_none()
    {
        var project = new OsvProject { ProjectFile = "/p/osv.yaml", Name = "p", OutputDirectory = "/p/out" };

        Assert.Null(project.BuildCommandLine(new DiagnosticBag()));
    }

    private static string? Format(ProjectCommand command)
    {
        var diagnostics = new DiagnosticBag();
        string? line = OsvCommandLine.Format(command, diagnostics);
        Assert.Empty(diagnostics);
        return line;
    }
}
