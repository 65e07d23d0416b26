using Osv.ImageBuilder.Tests.Analyse;

namespace Osv.ImageBuilder.Tests.OsvBuild;

/// <summary>Small C programs built with the host's gcc for the boot tests, and what they print.</summary>
internal static class GuestPrograms
{
    /// <summary>The line the shared-object hello prints.</summary>
    public const string SharedObjectGreeting = "Hello from a shared object";

    /// <summary>The line the PIE hello prints.</summary>
    public const string PieGreeting = "Hello from a PIE";

    /// <summary>The line the file test prints when every check passed.</summary>
    public const string FileIoPassed = "fileio: all checks passed";

    /// <summary>The file the file test leaves on the disk, and its size in bytes.</summary>
    public const string KeptFile = "/fileio-kept.txt";

    /// <summary>The size of <see cref="KeptFile"/> in bytes.</summary>
    public const int KeptFileSize = 4096 + 17;

    private const string HelloSource = """
        #include <stdio.h>
        int main(void)
        {
            printf("%s\n", GREETING);
            return 0;
        }
        """;

    // Creates, writes, reads back and deletes files on /, then prints one line a step. Each byte of a
    // file of SIZE bytes is (i * 31 + SIZE) mod 256, so the host can check the file that stays.
    private const string FileIoSource = """
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/stat.h>
        #include <unistd.h>

        static int check_file(const char *path, size_t size, int keep)
        {
            unsigned char *data = malloc(size), *back = malloc(size);
            for (size_t i = 0; i < size; i++)
                data[i] = (unsigned char)(i * 31 + size);

            int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
            if (fd < 0) { printf("fileio: creating %s failed: %s\n", path, strerror(errno)); return 1; }
            size_t written = 0;
            while (written < size) {
                ssize_t n = write(fd, data + written, size - written);
                if (n <= 0) { printf("fileio: writing %s failed: %s\n", path, strerror(errno)); return 1; }
                written += (size_t)n;
            }
            if (fsync(fd) != 0 || close(fd) != 0) { printf("fileio: closing %s failed: %s\n", path, strerror(errno)); return 1; }

            fd = open(path, O_RDONLY);
            if (fd < 0) { printf("fileio: opening %s failed: %s\n", path, strerror(errno)); return 1; }
            size_t read_back = 0;
            ssize_t n;
            while ((n = read(fd, back + read_back, size - read_back)) > 0)
                read_back += (size_t)n;
            close(fd);
            int same = read_back == size && memcmp(data, back, size) == 0;
            printf("fileio: %s: wrote %zu bytes, read back %zu bytes, %s\n", path, written, read_back, same ? "content matches" : "CONTENT DIFFERS");
            free(data);
            free(back);
            if (!same)
                return 1;

            if (!keep) {
                struct stat st;
                if (unlink(path) != 0 || stat(path, &st) == 0 || errno != ENOENT) { printf("fileio: deleting %s failed\n", path); return 1; }
                printf("fileio: %s: deleted\n", path);
            }
            return 0;
        }

        int main(void)
        {
            int failures = 0;
            char line[128] = "";
            FILE *hosts = fopen("/etc/hosts", "r");
            if (hosts == NULL || fgets(line, sizeof line, hosts) == NULL) { printf("fileio: reading /etc/hosts failed\n"); failures++; }
            else printf("fileio: /etc/hosts: %s", line);
            if (hosts != NULL)
                fclose(hosts);

            failures += check_file("/fileio-small.txt", 100, 0);
            failures += check_file("/fileio-large.bin", 3 << 20, 0);
            if (mkdir("/fileio-dir", 0755) != 0) { printf("fileio: mkdir failed: %s\n", strerror(errno)); failures++; }
            failures += check_file("/fileio-dir/nested.txt", 5000, 0);
            if (rmdir("/fileio-dir") != 0) { printf("fileio: rmdir failed: %s\n", strerror(errno)); failures++; }
            failures += check_file("/fileio-kept.txt", 4096 + 17, 1);
            sync();
            printf("fileio: %s\n", failures ? "FAILED" : "all checks passed");
            return failures;
        }
        """;

    /// <summary>Builds the hello program as a shared object (-fPIC -shared) into <paramref name="folder"/>.</summary>
    public static string BuildSharedHello(string folder) =>
        Compile(folder, "hello.c", HelloSource, "hello.so", ["-fPIC", "-shared", $"-DGREETING=\"{SharedObjectGreeting}\""]);

    /// <summary>Builds the hello program as a position-independent executable (-fPIE -pie) into <paramref name="folder"/>.</summary>
    public static string BuildPieHello(string folder) =>
        Compile(folder, "hello.c", HelloSource, "hello-pie", ["-fPIE", "-pie", $"-DGREETING=\"{PieGreeting}\""]);

    /// <summary>Builds the file test as a PIE into <paramref name="folder"/>.</summary>
    public static string BuildFileIo(string folder) =>
        Compile(folder, "fileio.c", FileIoSource, "fileio", ["-fPIE", "-pie"]);

    /// <summary>Returns the content the file test writes into a file of <paramref name="size"/> bytes.</summary>
    public static byte[] ExpectedContent(int size)
    {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++)
        {
            content[i] = unchecked((byte)((i * 31) + size));
        }

        return content;
    }

    private static string Compile(string folder, string sourceName, string source, string outputName, string[] flags)
    {
        string sourcePath = Path.Combine(folder, sourceName);
        string output = Path.Combine(folder, outputName);
        File.WriteAllText(sourcePath, source);
        (int exitCode, _, string error) = HostTools.Run("gcc", [.. flags, "-O1", "-o", output, sourcePath]);
        Assert.True(exitCode == 0, $"gcc failed to build {outputName}: {error}");
        return output;
    }
}
