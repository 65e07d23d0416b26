namespace Osv.Cli;

/// <summary>The exit codes of <c>dotnet osv</c>, the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked; warnings may have been printed.</summary>
    public const int Success = 0;

    /// <summary>The inputs have errors (a missing library, a bad manifest line, an unreadable image) or the work failed.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong: an unknown option, a missing argument, an invalid value.</summary>
    public const int Usage = 2;
}
