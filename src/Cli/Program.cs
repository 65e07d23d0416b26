using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Osv.Cli.Commands;
using Osv.Cli.Output;

namespace Osv.Cli;

/// <summary>The entry point of <c>dotnet osv</c>.</summary>
internal static partial class Program
{
    private const int SignalFileSizeExceeded = 25; // SIGXFSZ on Linux x86-64 and arm64
    private const nint SignalIgnore = 1;           // SIG_IGN

    private static Task<int> Main(string[] args)
    {
        // Past a file size limit (ulimit -f) the kernel sends SIGXFSZ, which kills the process
        // before it can delete its temporary image. Ignored, the write fails with EFBIG instead,
        // and the build reports it and cleans up like any other I/O error.
        if (OperatingSystem.IsLinux())
        {
            _ = Signal(SignalFileSizeExceeded, SignalIgnore);
        }

        return RunAsync(args, CliConsole.ForProcess());
    }

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
            InspectCommand.Create(console),
            RunCommand.Create(console),
            KernelCommand.Create(console),
        };
        return root;
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
