namespace Osv.Cli.Tests.Run;

/// <summary>
/// Builds a tiny x86 kernel ELF with a PVH entry note, which qemu boots with <c>-kernel</c> as it
/// boots OSv's loader-stripped.elf: it writes one line to the COM1 serial port and halts forever.
/// </summary>
internal static class ProbeKernel
{
    public const string Message = "pvh-probe-kernel: hello from the guest";

    // XEN_ELFNOTE_PHYS32_ENTRY (18) in a "Xen" note gives the 32-bit protected-mode entry point.
    private const string Source = $$"""
            .section .note.pvh, "a"
            .balign 4
            .long 4
            .long 4
            .long 18
            .asciz "Xen"
            .long _start
            .text
            .code32
            .globl _start
        _start:
            mov $message, %esi
        1:  lodsb
            test %al, %al
            jz 2f
            mov $0x3f8, %dx
            out %al, %dx
            jmp 1b
        2:  hlt
            jmp 2b
        message:
            .asciz "{{Message}}\n"
        """;

    /// <summary>Assembles and links the kernel into <paramref name="directory"/> and returns its path.</summary>
    public static string Build(string directory)
    {
        string source = Path.Combine(directory, "probe.S");
        string obj = Path.Combine(directory, "probe.o");
        string elf = Path.Combine(directory, "probe.elf");
        File.WriteAllText(source, Source);

        ProcessOutput assembled = Processes.Run("gcc", directory, "-c", source, "-o", obj);
        Assert.True(assembled.ExitCode == 0, assembled.ToString());
        ProcessOutput linked = Processes.Run("ld", directory, "-m", "elf_x86_64", "-Ttext=0x100000", "-e", "_start", "-o", elf, obj);
        Assert.True(linked.ExitCode == 0, linked.ToString());
        return elf;
    }
}
