using System.Diagnostics;
using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Tests.Kernel;

/// <summary>
/// Stand-ins for OSv build outputs, since no OSv build exists here: a generated loader.img (a boot
/// sector with the 0x55AA signature, an old command line at byte 512 and filler where the compressed
/// kernel goes) and a gcc-built shared object in place of loader-stripped.elf.
/// </summary>
internal static class SyntheticKernel
{
    /// <summary>The size of the generated loader.img; a real one is a few megabytes.</summary>
    public const int BootImageLength = 100_000;

    /// <summary>Writes a loader.img stand-in whose old command line is <paramref name="oldCommandLine"/>.</summary>
    public static void WriteBootImage(string path, string oldCommandLine = "--rootfs=zfs /old/command/line/that/is/long.so")
    {
        byte[] image = new byte[BootImageLength];
        for (int i = 65536; i < image.Length; i++)
        {
            image[i] = (byte)(i * 13);
        }

        image[0] = 0xEB;
        image[510] = 0x55;
        image[511] = 0xAA;
        System.Text.Encoding.ASCII.GetBytes(oldCommandLine).CopyTo(image, 512);
        File.WriteAllBytes(path, image);
    }

    /// <summary>Creates a bundle folder with a generated boot image and loads it.</summary>
    public static KernelBundle CreateBundle(string folder, string fileSystems = "[rofs, zfs, ramfs]")
    {
        Directory.CreateDirectory(folder);
        WriteBootImage(Path.Combine(folder, "loader.img"));
        File.WriteAllText(Path.Combine(folder, KernelBundle.DescriptionFileName), $"""
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
            filesystems: {fileSystems}
            providedSonames: [libc.so.6]
            baseFiles:
              - guest: /etc/hosts
                content: "127.0.0.1 localhost\n"
            """);
        var diagnostics = new DiagnosticBag();
        KernelBundle? bundle = KernelBundle.Load(folder, diagnostics);
        Assert.True(bundle is not null, string.Join("\n", diagnostics));
        return bundle;
    }

    /// <summary>Builds a shared object with gcc that exports the given functions, as a kernel ELF stand-in.</summary>
    public static void BuildSharedObject(string path, params string[] functions)
    {
        string source = Path.ChangeExtension(path, ".c");
        File.WriteAllText(source, string.Join("\n", functions.Select(f => $"int {f}(void) {{ return 1; }}")) + "\nstatic int hidden_helper(void) { return 2; }\nint use_hidden(void) { return hidden_helper(); }\n");
        var start = new ProcessStartInfo("gcc") { RedirectStandardError = true };
        foreach (string argument in new[] { "-shared", "-fPIC", "-O1", "-o", path, source })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "gcc failed: " + errors);
    }
}
