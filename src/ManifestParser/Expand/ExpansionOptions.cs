using Osv.Manifests.Parse;

namespace Osv.Manifests.Expand;

/// <summary>How <see cref="PlanExpander"/> turns manifest entries into a guest tree.</summary>
public sealed record ExpansionOptions
{
    /// <summary>
    /// Gets the filesystem the plan is for. With <see cref="ManifestTarget.Bootfs"/> a <c>!HOST</c> that is a
    /// symbolic link is copied as the file it points to (mkbootfs.py reads through it) and names over the
    /// bootfs limit are errors; otherwise it becomes a guest symbolic link, as gen-rofs-img.py makes it.
    /// </summary>
    public ManifestTarget Target { get; init; } = ManifestTarget.Any;

    /// <summary>
    /// Gets whether a <c>/**</c> tree walk descends into symbolic links to directories. True by default,
    /// so that nothing under such a link is lost; OSv's os.walk does not follow them (false), and then each
    /// skipped link is reported as a warning.
    /// </summary>
    public bool FollowDirectorySymlinksInTrees { get; init; } = true;
}
