using Osv.Diagnostics;

namespace Osv.Manifests.Parse;

/// <summary>
/// One entry of a manifest after OSv's text steps: module composition (<c>${NAME}</c>), the split at
/// <c>": "</c>, Python <c>%</c> formatting of the host value and the <c>/&amp;/</c> shorthand.
/// Host trees (<c>/**</c>) are not expanded here because that needs the host; see
/// <see cref="Expand.PlanExpander"/>.
/// </summary>
public sealed record ManifestEntry
{
    /// <summary>
    /// Gets the guest path as OSv uses it, for example <c>/usr/lib/**</c> or <c>tools/x.so</c>: stripped,
    /// with <c>/&amp;/</c> applied and the <c>/**</c> suffix of a tree kept.
    /// </summary>
    public required string GuestPath { get; init; }

    /// <summary>
    /// Gets the guest path normalised by <see cref="Osv.Plan.GuestPaths"/>, without the <c>/**</c> suffix
    /// of a tree; a relative path is taken as relative to <c>/</c>. Null when the path is invalid,
    /// and then an error diagnostic gives the reason.
    /// </summary>
    public string? NormalizedGuestPath { get; init; }

    /// <summary>
    /// Gets the host value as OSv uses it, with its markers: <c>-&gt;TARGET</c>, <c>!HOST</c>,
    /// <c>HOSTDIR/**</c> or a plain path, relative paths left relative.
    /// </summary>
    public required string HostSpec { get; init; }

    /// <summary>Gets the form of the entry.</summary>
    public required ManifestEntryKind Kind { get; init; }

    /// <summary>
    /// Gets the absolute host path without markers: the file or directory for <see cref="ManifestEntryKind.HostPath"/>
    /// and <see cref="ManifestEntryKind.HostPathNoFollow"/>, the tree root for <see cref="ManifestEntryKind.HostTree"/>,
    /// null for <see cref="ManifestEntryKind.Symlink"/>. Relative paths are joined to the reader's base directory
    /// but not normalised, so <c>..</c> after a symbolic link resolves on the host as OSv's scripts resolve it.
    /// </summary>
    public string? HostPath { get; init; }

    /// <summary>Gets the link target of a <see cref="ManifestEntryKind.Symlink"/> entry, stored as written; null otherwise.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>Gets the manifest file, line and column where the guest path starts.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Gets the manifest file, line and column where the host value starts.</summary>
    public required SourceLocation HostLocation { get; init; }
}
