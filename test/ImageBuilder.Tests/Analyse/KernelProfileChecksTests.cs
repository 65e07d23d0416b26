using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Tests.Analyse;

public class KernelProfileChecksTests
{
    // A copy of a sample with some bytes replaced, in the samples' folder.
    private static string Patch(string source, string name, params (int Offset, byte[] Bytes)[] patches)
    {
        byte[] bytes = File.ReadAllBytes(source);
        foreach ((int offset, byte[] value) in patches)
        {
            value.CopyTo(bytes, offset);
        }

        string path = Path.Combine(ElfSamples.Shared.Root, "patched", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Pie_program_passes()
    {
        var run = new AnalysisRun().Add("/app/pie", ElfSamples.Shared.Pie).Analyze(["/app/pie"]);

        Assert.False(run.Diagnostics.HasErrors, run.Dump());
    }

    [Fact]
    public void Executable_under_dyn_only_kernel()
    {
        KernelProfile old = ElfSamples.CurrentKernel() with { AcceptsExecutables = false };

        var run = new AnalysisRun().Add("/app/nonpie", ElfSamples.Shared.NonPie).Analyze(["/app/nonpie"], old);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.ExecutableNotAccepted));
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Contains("-fPIC -shared", finding.Message, StringComparison.Ordinal);
        Assert.Contains("-fPIE -pie", finding.Message, StringComparison.Ordinal);
        Assert.Equal(ElfSamples.Shared.NonPie, finding.Location?.File);
    }

    [Fact]
    public void Executable_overlapping_old_kernel_base()
    {
        // Older x86-64 kernels started at 0x200000; gcc links a non-PIE at 0x400000.
        KernelProfile old = ElfSamples.CurrentKernel() with { KernelStart = 0x200000, KernelEnd = 0x1000000 };

        var run = new AnalysisRun().Add("/app/nonpie", ElfSamples.Shared.NonPie).Analyze(["/app/nonpie"], old);

        Diagnostic finding = run.WithCode(ElfDiagnosticCodes.OverlapsKernel).First();
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Contains("[0x400000, 0x", finding.Message, StringComparison.Ordinal);
        Assert.Contains("[0x200000, 0x1000000)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Executable_above_kernel_passes()
    {
        var run = new AnalysisRun().Add("/app/nonpie", ElfSamples.Shared.NonPie).Analyze(["/app/nonpie"]);

        Assert.Empty(run.WithCode(ElfDiagnosticCodes.OverlapsKernel));
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.ExecutableNotAccepted));
    }

    [Fact]
    public void Object_file_as_program()
    {
        var run = new AnalysisRun().Add("/app/object.o", ElfSamples.Shared.ObjectFile).Analyze(["/app/object.o"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.NotLoadable));
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Contains("gcc -shared", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Object_file_not_loaded_is_quiet()
    {
        var run = new AnalysisRun().Add("/app/object.o", ElfSamples.Shared.ObjectFile).Analyze([]);

        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void Wrong_machine_is_error_when_loaded()
    {
        // e_machine is at byte 18; 183 is EM_AARCH64.
        string arm = Patch(ElfSamples.Shared.SharedObject, "arm.so", (18, [183, 0]));

        var run = new AnalysisRun().Add("/app/arm.so", arm).Analyze(["/app/arm.so"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.WrongMachine));
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Contains("AArch64", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_machine_is_warning_when_unused()
    {
        string arm = Patch(ElfSamples.Shared.SharedObject, "arm-unused.so", (18, [183, 0]));

        var run = new AnalysisRun().Add("/app/arm.so", arm).Add("/app/pie", ElfSamples.Shared.Pie).Analyze(["/app/pie"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.WrongMachine));
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
    }

    [Fact]
    public void Foreign_os_abi()
    {
        // EI_OSABI is byte 7; 9 is FreeBSD.
        string freebsd = Patch(ElfSamples.Shared.SharedObject, "freebsd.so", (7, [9]));

        var run = new AnalysisRun().Add("/app/freebsd.so", freebsd).Analyze(["/app/freebsd.so"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.WrongOsAbi));
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
    }

    [Fact]
    public void Unknown_segment_type()
    {
        // The first program header of a PIE is PT_PHDR at e_phoff 64; 0x6474E554 is PT_GNU_SFRAME.
        string sframe = Patch(ElfSamples.Shared.Pie, "sframe", (64, BitConverter.GetBytes(0x6474E554u)));

        var run = new AnalysisRun().Add("/app/sframe", sframe).Analyze(["/app/sframe"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.UnknownSegmentType));
        Assert.Contains("0x6474E554", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_soname_in_image()
    {
        var run = new AnalysisRun().Add("/usr/lib/libm.so.6", ElfSamples.Shared.KernelSoname).Analyze([]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.ShadowedByKernel));
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
    }

    [Fact]
    public void Static_executable_loads_nothing()
    {
        var run = new AnalysisRun().Add("/app/static", ElfSamples.Shared.Static).Analyze(["/app/static"]);

        Assert.False(run.Diagnostics.HasErrors, run.Dump());
        Assert.Equal(["/app/static"], run.Result!.Programs[0].LoadOrder);
    }
}
