namespace Osv.Sdk.Tests.Infrastructure;

/// <summary>
/// Writes a kernel bundle folder without an OSv build: the description file, a stand-in boot image (a boot
/// sector with the 0x55AA signature and filler) and optional header folders. Images made with it are real
/// disks that qemu-img reads, but they do not boot.
/// </summary>
internal static class SyntheticBundle
{
    /// <summary>Writes the bundle.</summary>
    /// <param name="folder">The bundle folder; created when missing.</param>
    /// <param name="headers">A header folder relative to the bundle, or null for none.</param>
    public static void Write(string folder, string? headers = null)
    {
        Directory.CreateDirectory(folder);
        byte[] bootImage = new byte[100_000];
        bootImage[0] = 0xEB;
        bootImage[510] = 0x55;
        bootImage[511] = 0xAA;
        File.WriteAllBytes(Path.Combine(folder, "loader.img"), bootImage);

        string headerLines = headers is null ? string.Empty : $"headers: [{headers}]\n";
        File.WriteAllText(Path.Combine(folder, "osv-kernel.yaml"), $"""
            formatVersion: 1
            name: synthetic
            architecture: x86_64
            machine: 62
            acceptedElfTypes: [dyn, exec]
            kernelAddress:
              start: "0x40200000"
              end: "0x40a00000"
            bootImage: loader.img
            commandLine:
              offset: 512
              maxBytes: 32256
            filesystems: [rofs, zfs, ramfs]
            providedSonames: [libc.so.6, libm.so.6, ld-linux-x86-64.so.2, libpthread.so.0, libdl.so.2]
            baseFiles:
              - guest: /etc/hosts
                content: "127.0.0.1 localhost\n"

            """ + headerLines);
    }
}
