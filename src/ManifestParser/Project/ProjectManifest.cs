using Osv.Diagnostics;

namespace Osv.Manifests.Project;

/// <summary>A manifest an osv.yaml project includes, with the values it is read with.</summary>
/// <param name="Path">The absolute path of the manifest file.</param>
/// <param name="Definitions">The definitions for <c>%(name)s</c> in host values (OSv's <c>-D NAME=VALUE</c>).</param>
/// <param name="Variables">
/// The module variables for <c>${NAME}</c>. <c>MODULE_DIR</c> defaults to the manifest's folder, as OSv's
/// module.py sets it to the module's folder.
/// </param>
/// <param name="BaseDirectory">The absolute host directory that relative host paths in the manifest are relative to.</param>
/// <param name="Location">Where osv.yaml names the manifest.</param>
public sealed record ProjectManifest(
    string Path,
    IReadOnlyDictionary<string, string> Definitions,
    IReadOnlyDictionary<string, string> Variables,
    string BaseDirectory,
    SourceLocation Location);
