using Osv.Diagnostics;

namespace Osv.Manifests.Project;

/// <summary>What OSv runs at boot, as osv.yaml's <c>command</c> key describes it.</summary>
public sealed record ProjectCommand
{
    /// <summary>Gets the program: a guest path such as <c>/hello.so</c>, or a name OSv looks up, such as <c>java.so</c>.</summary>
    public required string Program { get; init; }

    /// <summary>Gets the arguments after the program, in order.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Gets the environment variables, in the order osv.yaml lists them; each becomes a <c>--env=NAME=VALUE</c> option.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>Gets the working directory (<c>--cwd=</c>), or null for OSv's default, <c>/</c>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Gets extra kernel options placed before every other option, for example <c>--verbose</c>.</summary>
    public IReadOnlyList<string> KernelOptions { get; init; } = [];

    /// <summary>Gets where osv.yaml describes the command.</summary>
    public SourceLocation Location { get; init; }
}
