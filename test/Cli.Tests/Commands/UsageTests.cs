using System.CommandLine;
using Osv.Cli.Output;

namespace Osv.Cli.Tests.Commands;

public class UsageTests
{
    [Fact]
    public void Help_exits_zero()
    {
        ProcessOutput result = ToolProcess.Run(Path.GetTempPath(), "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("build", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("build", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData("build", "--fs", "ext4")]
    [InlineData("build", "--format", "vhd")]
    [InlineData("build", "--size", "12Q")]
    [InlineData("build", "--size", "1000000")]
    [InlineData("build", "--size", "512MB")]
    [InlineData("build", "-D", "NOEQUALS")]
    [InlineData("run")]
    [InlineData("run", "x.img", "--forward", "99999:1")]
    [InlineData("run", "x.img", "--memory", "0")]
    public void Usage_error_exits_two(params string[] arguments)
    {
        ProcessOutput result = ToolProcess.Run(Path.GetTempPath(), arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error OSV6001:", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_error_matches_osv_yaml()
    {
        ProcessOutput result = ToolProcess.Run(Path.GetTempPath(), "build", "--size", "1000000");

        Assert.Contains("not a positive multiple of 512 bytes", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_error_names_the_option()
    {
        ProcessOutput result = ToolProcess.Run(Path.GetTempPath(), "build", "--bogus");

        Assert.Contains("'--bogus'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_source_date_epoch_exits_two()
    {
        using var temp = new TempDirectory();
        var environment = new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = "yesterday" };

        ProcessOutput result = ToolProcess.Run(temp.Path, environment, "check");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SOURCE_DATE_EPOCH", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Suggest_lists_commands()
    {
        ProcessOutput result = ToolProcess.Run(Path.GetTempPath(), "[suggest:0]", "");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("build", result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Suggest_completes_filesystems()
    {
        ProcessOutput result = ToolProcess.Run(Path.GetTempPath(), "[suggest:11]", "build --fs ");

        Assert.Equal(["ramfs", "rofs", "zfs"], result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Every_symbol_has_help_text()
    {
        RootCommand root = Program.CreateRootCommand(new CliConsole(TextWriter.Null, TextWriter.Null, interactive: false));
        var missing = new List<string>();

        foreach (Command command in Flatten(root))
        {
            missing.AddRange(command.Options.Where(o => string.IsNullOrWhiteSpace(o.Description)).Select(o => $"{command.Name} {o.Name}"));

            // Every option of the tool's own says its default, in the text or through a default value.
            missing.AddRange(command.Options
                .Where(o => o is not System.CommandLine.Help.HelpOption and not VersionOption)
                .Where(o => !o.HasDefaultValue && !(o.Description ?? string.Empty).Contains("Default:", StringComparison.Ordinal))
                .Select(o => $"{command.Name} {o.Name} (no default)"));
            missing.AddRange(command.Arguments.Where(a => string.IsNullOrWhiteSpace(a.Description)).Select(a => $"{command.Name} {a.Name}"));
            if (string.IsNullOrWhiteSpace(command.Description))
            {
                missing.Add(command.Name);
            }
        }

        Assert.Empty(missing);
    }

    private static IEnumerable<Command> Flatten(Command command) =>
        new[] { command }.Concat(command.Subcommands.SelectMany(Flatten));
}
