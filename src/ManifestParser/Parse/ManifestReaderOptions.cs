namespace Osv.Manifests.Parse;

/// <summary>Values a manifest is read with: OSv's <c>-D</c> definitions, module variables and the host base directory.</summary>
public sealed record ManifestReaderOptions
{
    private static readonly IReadOnlyDictionary<string, string> s_empty = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets the definitions for Python <c>%</c> formatting of host values, as OSv's <c>-D NAME=VALUE</c>
    /// options give them, for example <c>libgcc_s_dir</c>. A definition of <c>libgcc_s_dir</c> also
    /// replaces <c>%(libgcc_s_dir)s</c> anywhere in a line, as OSv's module.py does before the split.
    /// </summary>
    public IReadOnlyDictionary<string, string> Definitions { get; init; } = s_empty;

    /// <summary>
    /// Gets the variables of module composition (<c>${NAME}</c>), for example <c>MODULE_DIR</c> and
    /// <c>OSV_BASE</c>. Empty for a top-level manifest, where any <c>${...}</c> is an error as in OSv.
    /// </summary>
    public IReadOnlyDictionary<string, string> ModuleVariables { get; init; } = s_empty;

    /// <summary>
    /// Gets the host directory that relative host paths are relative to (OSv's build/release). When null,
    /// <see cref="ManifestReader.ReadFile"/> uses the folder of the manifest and the other methods use the
    /// current directory.
    /// </summary>
    public string? BaseDirectory { get; init; }

    /// <summary>
    /// Gets the filesystem the manifest is for. With <see cref="ManifestTarget.Bootfs"/> a guest path over the
    /// bootfs name limit is an error instead of a warning.
    /// </summary>
    public ManifestTarget Target { get; init; } = ManifestTarget.Any;
}
