using Osv.Sdk.Tasks.Run;

namespace Osv.Sdk.Tests.Run;

public sealed class CommandLineQuotingTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "\"\"")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("ends with\\", "\"ends with\\\\\"")]
    [InlineData("back\\slash", "back\\slash")]
    public void Quote(string argument, string expected)
    {
        Assert.Equal(expected, CommandLineQuoting.Quote(argument));
    }

    [Fact]
    public async Task Quote_RoundTripsThroughProcessStart()
    {
        string[] arguments = ["plain", "", "two words", "say \"hi\"", "trailing\\", "a\\\\\"b", "file=/x,format=raw"];
        var startInfo = new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            Arguments = "-c \"printf '[%s]\\n' \\\"$@\\\"\" sh " + string.Join(' ', arguments.Select(CommandLineQuoting.Quote)),
            RedirectStandardOutput = true,
        };

        using var process = System.Diagnostics.Process.Start(startInfo)!;
        string output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(arguments.Select(a => $"[{a}]"), output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
