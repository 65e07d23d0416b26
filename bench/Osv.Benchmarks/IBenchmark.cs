namespace Osv.Benchmarks;

/// <summary>
/// One benchmark: it measures the project's code and a baseline side by side in the same run and
/// reports their ratio against a target. Implementations are found by reflection, one class a file.
/// </summary>
internal interface IBenchmark
{
    /// <summary>Gets the name used on the command line, for example <c>elf-scan</c>.</summary>
    string Name { get; }

    /// <summary>Gets one sentence that says what is measured against what.</summary>
    string Description { get; }

    /// <summary>Runs the measurement and returns one result for each target it checks.</summary>
    IReadOnlyList<BenchmarkResult> Run(BenchmarkContext context);
}

/// <summary>The outcome of one target of a benchmark.</summary>
/// <param name="Benchmark">The benchmark name.</param>
/// <param name="Metric">What was compared, for example "time ratio to readelf".</param>
/// <param name="Value">The measured value (a ratio, or megabytes for memory).</param>
/// <param name="Target">The limit the value is checked against.</param>
/// <param name="HigherIsBetter">Whether the value passes when it is at least the target (else at most).</param>
/// <param name="Details">The raw numbers behind the value, for the record.</param>
internal sealed record BenchmarkResult(string Benchmark, string Metric, double Value, double Target, bool HigherIsBetter, string Details)
{
    /// <summary>Gets whether the value meets the target.</summary>
    public bool Passed => HigherIsBetter ? Value >= Target : Value <= Target;
}

/// <summary>Settings every benchmark receives.</summary>
/// <param name="WorkDirectory">A scratch folder for this run; it is deleted afterwards.</param>
/// <param name="RepositoryRoot">The root of the repository.</param>
/// <param name="Quick">True for a short smoke run with smaller inputs (used by tests), false for the real measurement.</param>
internal sealed record BenchmarkContext(string WorkDirectory, string RepositoryRoot, bool Quick);
