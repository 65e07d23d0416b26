namespace Osv.Manifests.Project;

/// <summary>The container format of the disk image, as osv.yaml's <c>image.format</c> key names it.</summary>
public enum ImageFormat
{
    /// <summary><c>raw</c>: the disk bytes as they are.</summary>
    Raw,

    /// <summary><c>qcow2</c>: QEMU's copy-on-write format (the default, as OSv's scripts/build makes usr.img).</summary>
    Qcow2,

    /// <summary><c>vmdk</c>: VMware's virtual disk format.</summary>
    Vmdk,
}
