using System.CommandLine;
using System.CommandLine.Invocation;
using Osv.Cli.Commands;
using Osv.Cli.Output;

namespace Osv.Cli;

/// <summary>The entry point of <c>dotnet osv</c>.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => RunAsync(args, CliConsole.ForProcess());

    /// <summary>Parses <paramref name="args"/> and runs the command; usage errors exit with <see cref="ExitCodes.Usage"/>.</summary>
    internal static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        RootCommand root = CreateRootCommand(console);
        ParseResult parseResult = root.Parse(args);

        // System.CommandLine exits with 1 on a parse error; this tool keeps 1 for build errors and uses 2.
        if (parseResult.Errors.Count > 0 && parseResult.Action is ParseErrorAction)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parseResult.Errors)
            {
                console.Error.WriteLine($"error OSV6001: {error.Message}");
            }

            string command = parseResult.CommandResult.Command == root ? string.Empty : parseResult.CommandResult.Command.Name + " ";
            console.Error.WriteLine($"Run 'dotnet osv {command}--help' to see the arguments and options.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        return await parseResult.InvokeAsync(configuration);
    }

    /// <summary>Creates the command tree; the root command brings --help, --version and the [suggest] directive for dotnet-suggest.</summary>
    internal static RootCommand CreateRootCommand(CliConsole console)
    {
        var root = new RootCommand("dotnet osv: build, check, inspect and run OSv unikernel images from Linux shared objects and executables.")
        {
            BuildCommand.CreateBuild(console),
            BuildCommand.CreateCheck(console),
            RunCommand.Create(console),
        };
        return root;
    }
}
