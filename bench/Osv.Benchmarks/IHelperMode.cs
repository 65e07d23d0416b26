namespace Osv.Benchmarks;

/// <summary>
/// A benchmark that measures a whole process: it starts the benchmark executable again with
/// <c>--helper NAME ARGS...</c> (under <c>/usr/bin/time</c> for peak memory) and does the measured work there.
/// </summary>
internal interface IHelperMode
{
    /// <summary>Runs the measured work in the helper process and returns the exit code.</summary>
    int RunHelper(string[] arguments);
}
