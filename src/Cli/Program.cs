namespace Osv.Cli;

/// <summary>The entry point of <c>dotnet osv</c>.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("dotnet osv: not built yet.");
        return args.Length == 0 ? 2 : 2;
    }
}
