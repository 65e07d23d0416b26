namespace Osv.ImageBuilder.Kernel;

// The built-in "generic" kernel profile: OSv x86-64 as of the master branch of late 2026, without a
// boot image. Images made with it are kernel-less disks that boot with an external kernel
// (qemu -kernel, firecracker). It has the shape of a bundle's osv-kernel.yaml and goes through the
// same checks. It is written in code because every build without a bundle reads it, and parsing
// YAML costs about 20 ms on the first document (YamlDotNet compiles a regular expression then).
// Values come from OSv's sources: core/elf.cc (accepted ELF types), Makefile (kernel_vm_base),
// arch/x64/boot16.S (command line area), usr_rofs.manifest.skel and usr.manifest.skel (base files),
// static/etc (fstab variants, hosts).
internal static class GenericKernelProfile
{
    public const string Name = "generic";

    public static KernelBundleDescription Create() => new()
    {
        FormatVersion = 1,
        Name = Name,
        Architecture = "x86_64",
        Machine = 62,
        AcceptedElfTypes = ["dyn", "exec"],
        KernelAddress = new KernelBundleDescription.AddressRange
        {
            Start = "0x40200000",

            // NOTE: the end depends on the kernel build (elf_start + elf_size in core/elf.cc). 16 MiB is an
            // estimate that covers a release kernel; a bundle imported from a build has the exact value.
            End = "0x41200000",
        },

        // boot16.S reads 63 sectors from LBA 1, so the command line and its NUL fit in 32256 bytes.
        CommandLine = new KernelBundleDescription.CommandLineArea { Offset = 512, MaxBytes = 32256 },
        Filesystems = ["rofs", "zfs"],
        Zfs = new KernelBundleDescription.ZfsLayout { Pool = "osv", RootDataset = "osv" },

        // core/elf.cc also provides libstdc++.so.6 in kernels built with conf_hide_symbols=0, the default
        // of conf/base.mk. The generic profile leaves it out, so images carry their own copy: a kernel
        // that provides the soname resolves it to itself before it searches the disk
        // (program::load_object), and a kernel built with hidden symbols needs the copy. An imported
        // bundle lists what its kernel provides.
        ProvidedSonames =
        [
            "ld-linux-x86-64.so.2",
            "libresolv.so.2",
            "libc.so.6",
            "libm.so.6",
            "libc.musl-x86_64.so.1",
            "ld-musl-x86_64.so.1",
            "libpthread.so.0",
            "libdl.so.2",
            "librt.so.1",
            "libaio.so.1",
            "libxenstore.so.3.0",
            "libcrypt.so.1",
            "libutil.so",
        ],

        // NOTE: /libenviron.so, /tools/mount-fs.so and /tools/umount.so are outputs of an OSv build, so
        // only an imported bundle carries them.
        BaseFiles =
        [
            new() { Guest = "/etc/hosts", Content = "127.0.0.1 localhost osv.local\n" },
            new() { Guest = "/etc/mnttab", Link = "/proc/mounts" },
            new()
            {
                Guest = "/etc/fstab",
                Filesystems = ["rofs"],
                Content = """
                    /dev/vblk0.1 /          rofs      defaults 0 0
                    none         /dev       devfs     defaults 0 0
                    none         /proc      procfs    defaults 0 0
                    none         /sys       sysfs     defaults 0 0
                    none         /tmp       ramfs     defaults 0 0

                    """,
            },
            new()
            {
                Guest = "/etc/fstab",
                Filesystems = ["zfs", "ramfs"],
                Content = """
                    /dev/vblk0.1 /          zfs       defaults 0 0
                    none         /dev       devfs     defaults 0 0
                    none         /proc      procfs    defaults 0 0
                    none         /sys       sysfs     defaults 0 0

                    """,
            },
            new() { Guest = "/dev", Directory = true },
            new() { Guest = "/proc", Directory = true },
            new() { Guest = "/sys", Directory = true },
            new() { Guest = "/tmp", Directory = true },
            new() { Guest = "/data", Directory = true, Filesystems = ["rofs"] },
        ],
    };
}
