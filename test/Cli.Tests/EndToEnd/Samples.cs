namespace Osv.Cli.Tests.EndToEnd;

/// <summary>Copies a sample application into a scratch folder and builds its ELF file with make, as a user would.</summary>
internal static class Samples
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Copies sample-apps/<paramref name="name"/> (sources, Makefile, osv.yaml) into <paramref name="temp"/> and runs make there.</summary>
    /// <returns>The sample's folder in the scratch copy.</returns>
    public static string Prepare(TempDirectory temp, string name, params string[] makeTargets)
    {
        if (!Processes.OnPath("make") || !Processes.OnPath("gcc"))
        {
            Assert.Skip("make and gcc are not installed; run .ci/install-prerequisites.");
        }

        string source = Path.Combine(RepositoryRoot, "sample-apps", name);
        string destination = temp.Combine(name);
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            string fileName = Path.GetFileName(file);
            if (fileName.EndsWith(".so", StringComparison.Ordinal) || fileName == "hello")
            {
                continue;
            }

            File.Copy(file, Path.Combine(destination, fileName));
        }

        ProcessOutput make = Processes.Run("make", destination, ["-s", .. makeTargets]);
        Assert.True(make.ExitCode == 0, make.ToString());
        return destination;
    }

    /// <summary>Writes a kernel bundle whose boot image is a bare boot sector with the MBR signature.</summary>
    /// <remarks>
    /// The bundle cannot boot. It replaces an imported OSv build so that the tests get the
    /// usr.img layout (command line at byte 512, partition 2 at 2 MiB) without an OSv build.
    /// </remarks>
    public static string FakeKernelBundle(TempDirectory temp)
    {
        string folder = temp.Combine("test-kernel");
        Directory.CreateDirectory(folder);
        byte[] loader = new byte[64 * 1024];
        loader[510] = 0x55;
        loader[511] = 0xAA;
        File.WriteAllBytes(Path.Combine(folder, "loader.img"), loader);
        File.WriteAllText(Path.Combine(folder, "osv-kernel.yaml"), """
            formatVersion: 1
            name: test-kernel
            architecture: x86_64
            machine: 62
            acceptedElfTypes: [dyn, exec]
            kernelAddress:
              start: "0x40200000"
              end: "0x41200000"
            bootImage: loader.img
            commandLine:
              offset: 512
              maxBytes: 32256
            filesystems: [rofs, zfs]
            zfs:
              pool: osv
              rootDataset: osv
            providedSonames: [ld-linux-x86-64.so.2, libc.so.6, libm.so.6, libpthread.so.0, libdl.so.2, librt.so.1]
            baseFiles:
              - guest: /etc/hosts
                content: "127.0.0.1 localhost\n"
              - guest: /dev
                directory: true
              - guest: /proc
                directory: true
            """);
        return folder;
    }

    private static string FindRepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "OsvImageTools.slnx")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("The tests run outside the repository: no OsvImageTools.slnx above " + AppContext.BaseDirectory);
    }
}
