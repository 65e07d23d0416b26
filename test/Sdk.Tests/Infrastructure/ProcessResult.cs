namespace Osv.Sdk.Tests.Infrastructure;

/// <summary>The outcome of one child process.</summary>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="Output">Standard output and standard error, interleaved in the order the lines arrived.</param>
/// <param name="Elapsed">The wall-clock time from start to exit.</param>
internal sealed record ProcessResult(int ExitCode, string Output, TimeSpan Elapsed);
