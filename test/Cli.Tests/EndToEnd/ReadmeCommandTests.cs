using System.Text.RegularExpressions;

namespace Osv.Cli.Tests.EndToEnd;

/// <summary>
/// .ci/run runs the README's test command and main command exactly as written. These tests fail when
/// the markers it reads, or the paths the main command names, go missing.
/// </summary>
public partial class ReadmeCommandTests
{
    [Theory]
    [InlineData("test-command")]
    [InlineData("main-command")]
    public void Readme_has_one_marked_command(string marker)
    {
        string readme = File.ReadAllText(Path.Combine(Samples.RepositoryRoot, "README.md"));

        string[] commands = Extract(readme, marker);

        Assert.Single(commands);
        Assert.False(string.IsNullOrWhiteSpace(commands[0]));
    }

    [Theory]
    [InlineData("test-command")]
    [InlineData("main-command")]
    public void CiRun_extracts_marked_command(string marker)
    {
        string script = File.ReadAllText(Path.Combine(Samples.RepositoryRoot, ".ci", "run"));
        string readme = File.ReadAllText(Path.Combine(Samples.RepositoryRoot, "README.md"));

        // Runs the extract() function of .ci/run itself, with the awk that CI has.
        ProcessOutput extracted = Processes.Run("bash", Samples.RepositoryRoot, "-c",
            "source <(sed -n '/^extract()/,/^}/p' .ci/run) && extract \"$0\"", marker);

        Assert.Contains(marker, script, StringComparison.Ordinal);
        Assert.True(extracted.ExitCode == 0, extracted.ToString());
        Assert.Equal(Extract(readme, marker)[0], extracted.StandardOutput.Trim());
    }

    [Fact]
    public void Main_command_paths_exist()
    {
        string readme = File.ReadAllText(Path.Combine(Samples.RepositoryRoot, "README.md"));
        string command = Extract(readme, "main-command")[0];

        string[] paths = PathPattern().Matches(command).Select(m => m.Value.StartsWith("./", StringComparison.Ordinal) ? m.Value[2..] : m.Value).ToArray();

        Assert.NotEmpty(paths);
        foreach (string path in paths)
        {
            Assert.True(Path.Exists(Path.Combine(Samples.RepositoryRoot, path)), $"The README's main command names '{path}', which does not exist.");
        }
    }

    // The lines between <!-- NAME --> and <!-- /NAME -->, without the ``` fences, as .ci/run reads them.
    private static string[] Extract(string readme, string marker)
    {
        var blocks = new List<string>();
        List<string>? current = null;
        foreach (string line in readme.Split('\n'))
        {
            if (line == $"<!-- {marker} -->")
            {
                current = [];
            }
            else if (line == $"<!-- /{marker} -->" && current is not null)
            {
                blocks.Add(string.Join('\n', current).Trim());
                current = null;
            }
            else if (current is not null && !line.StartsWith("```", StringComparison.Ordinal))
            {
                current.Add(line);
            }
        }

        return blocks.ToArray();
    }

    // Repository paths in the command: ./.ci/..., sample-apps/..., src/...
    [GeneratedRegex(@"(\./)?(\.ci|sample-apps|src)/[A-Za-z0-9_./-]+")]
    private static partial Regex PathPattern();
}
