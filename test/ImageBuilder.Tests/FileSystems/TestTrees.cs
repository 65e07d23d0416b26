namespace Osv.ImageBuilder.Tests.FileSystems;

/// <summary>The trees the writers are compared on, each small enough for an approved copy except the sparse one.</summary>
internal static class TestTrees
{
    /// <summary>The trees with approved bootfs copies.</summary>
    public static readonly string[] BootfsApproved = ["sample-app", "symlinks", "deep", "empty-files", "spaces", "duplicates"];

    /// <summary>The trees with approved ROFS copies: the bootfs ones and one whose name is too long for bootfs.</summary>
    public static readonly string[] RofsApproved = [.. BootfsApproved, "block-boundary"];

    public static TestTree Create(string name)
    {
        var tree = new TestTree(name);
        switch (name)
        {
            case "sample-app":
                // What OSv's usr_rofs.manifest.skel and a small application put into an image.
                tree.File("/libenviron.so", 6123, seed: 1);
                tree.File("/usr/lib/libgcc_s.so.1", 9000, seed: 2);
                tree.Text("/etc/hosts", "127.0.0.1 localhost osv.local\n");
                tree.Link("/etc/mnttab", "/proc/mounts");
                tree.Text("/etc/fstab", "/dev/vblk0.1 /          rofs      defaults 0 0\nnone         /dev       devfs     defaults 0 0\n");
                tree.EmptyDirectory("/dev");
                tree.EmptyDirectory("/proc");
                tree.EmptyDirectory("/sys");
                tree.EmptyDirectory("/tmp");
                tree.EmptyDirectory("/data");
                tree.File("/hello", 70000, seed: 3);
                tree.File("/usr/lib/libz.so.1", 512, seed: 4);
                tree.File("/usr/lib/libssl.so.3", 1024, seed: 5);
                tree.Text("/app/config/settings.json", "{ \"port\": 8080 }\n");
                break;
            case "symlinks":
                tree.File("/lib/libfoo.so.1.2.3", 3000, seed: 6);
                tree.Link("/lib/libfoo.so.1", "libfoo.so.1.2.3");
                tree.Link("/lib/libfoo.so", "/lib/libfoo.so.1");
                tree.Link("/usr/lib64", "../lib");
                tree.Link("/bin/sh", "/does/not/exist");
                tree.Link("/etc/mnttab", "/proc/mounts");
                tree.Text("/etc/motd", "hello\n");
                tree.Link("/etc/long", new string('x', 300));
                break;
            case "deep":
                string path = string.Empty;
                for (int level = 0; level < 30; level++)
                {
                    path += "/" + (char)('a' + (level % 26));
                    if (level % 5 == 0)
                    {
                        tree.File(path + $"/file{level}", 100 + level, seed: level);
                    }
                }

                tree.File(path + "/leaf", 2000, seed: 99);
                tree.File("/top", 10, seed: 98);
                break;
            case "empty-files":
                tree.File("/a", 0, seed: 0);
                tree.File("/b", 1, seed: 1);
                tree.File("/c", 0, seed: 0);
                tree.File("/dir/d", 512, seed: 2);
                tree.File("/dir/e", 0, seed: 0);
                tree.EmptyDirectory("/empty");
                tree.File("/f", 513, seed: 3);
                tree.File("/g", 0, seed: 0);
                break;
            case "spaces":
                tree.File("/my app/main file.so", 4000, seed: 7);
                tree.Text("/my app/read me.txt", "text with spaces\n");
                tree.Link("/my app/link to main", "main file.so");
                tree.EmptyDirectory("/empty dir");
                tree.Text("/ leading and trailing /x", "x\n");
                break;
            case "duplicates":
                // A later entry for a path replaces the earlier one in ROFS (a dict) and adds a record in bootfs.
                tree.Text("/etc/fstab", "first\n");
                tree.File("/app.so", 3000, seed: 8);
                tree.Text("/etc/fstab", "second, longer than the first\n");
                tree.EmptyDirectory("/tmp");
                tree.EmptyDirectory("/tmp");
                tree.File("/app.so", 100, seed: 9);
                break;
            case "block-boundary":
                // One entry whose structure area is exactly 512 bytes: 10 + 438 bytes of entry and two 32-byte inodes.
                tree.File("/" + new string('n', 438), 10, seed: 10);
                break;
            case "sparse-3g":
                tree.Text("/before", "before\n");
                tree.Sparse("/big/sparse.img", 3L << 30);
                tree.Text("/after", "after\n");
                break;
            default:
                throw new ArgumentException($"Unknown test tree '{name}'.", nameof(name));
        }

        return tree;
    }
}
