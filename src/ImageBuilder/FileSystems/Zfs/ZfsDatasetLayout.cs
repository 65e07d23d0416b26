namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>The dataset of the pool that contains the files, which depends on the dataset the OSv kernel mounts on <c>/</c>.</summary>
public enum ZfsDatasetLayout
{
    /// <summary>
    /// The files are in the pool's root dataset (<c>osv</c>), which OSv's loader of late 2026 mounts
    /// (loader.cc passes the dataset name "osv" to mount_rootfs).
    /// </summary>
    RootDataset,

    /// <summary>
    /// The files are in the child dataset <c>osv/zfs</c>, which older OSv releases mounted; the root
    /// dataset then holds an empty filesystem.
    /// </summary>
    ChildDataset,
}
