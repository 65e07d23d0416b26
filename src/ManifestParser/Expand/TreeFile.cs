namespace Osv.Manifests.Expand;

/// <summary>One file found under a <c>/**</c> tree.</summary>
/// <param name="RelativePath">The path below the tree root, with '/' separators, for example <c>lib/x.so</c>.</param>
/// <param name="HostPath">The host path as OSv's expand() builds it: the tree root, then the relative path.</param>
/// <param name="PhysicalPath">
/// The path without symbolic links when the entry is a regular file, which needs no resolution. Null for a
/// symbolic link, because OSv's unsymlink rule resolves it.
/// </param>
internal readonly record struct TreeFile(string RelativePath, string HostPath, string? PhysicalPath);
