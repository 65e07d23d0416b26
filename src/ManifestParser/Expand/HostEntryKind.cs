namespace Osv.Manifests.Expand;

/// <summary>What a host path names without following a final symbolic link (lstat).</summary>
internal enum HostEntryKind
{
    Missing,
    File,
    Directory,
    Symlink,
}
