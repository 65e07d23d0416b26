using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;

namespace Osv.ImageBuilder.Tests.Analyse;

public class SymbolCheckTests
{
    // The defined symbols of the host's libc, libm and dynamic linker stand in for the kernel's
    // exports, because OSv's kernel provides those libraries itself.
    private static readonly Lazy<HashSet<string>> s_libcExports = new(() =>
    {
        var exports = new HashSet<string>(StringComparer.Ordinal);
        foreach (string library in (string[])["libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2"])
        {
            Assert.True(ElfFile.TryRead(Path.Combine(HostTools.LibraryFolder, library), out ElfFile? file, out _));
            exports.UnionWith(file.DynamicSymbols.Where(s => s.IsDefined).Select(s => s.Name));
        }

        return exports;
    });

    private static AnalysisRun RunUndefined()
    {
        ElfSamples samples = ElfSamples.Shared;
        return new AnalysisRun()
            .Add("/app/libundefined.so", samples.Undefined)
            .Add("/usr/lib/libdatadef.so", samples.DataDefinitionsRuntime)
            .Analyze(["/app/libundefined.so"], ElfSamples.CurrentKernel(s_libcExports.Value));
    }

    [Fact]
    public void Unresolved_variable_is_error()
    {
        Diagnostic finding = Assert.Single(RunUndefined().WithCode(ElfDiagnosticCodes.UnresolvedData), d => d.Message.Contains("'missing_variable'", StringComparison.Ordinal));

        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Equal(["/app/libundefined.so"], finding.Chain);
        Assert.Equal(ElfSamples.Shared.Undefined, finding.Location?.File);
    }

    [Fact]
    public void Unresolved_tls_is_error()
    {
        Diagnostic finding = Assert.Single(RunUndefined().WithCode(ElfDiagnosticCodes.UnresolvedData), d => d.Message.Contains("'missing_tls'", StringComparison.Ordinal));

        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Contains("thread-local", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolved_function_is_warning()
    {
        Diagnostic finding = Assert.Single(RunUndefined().WithCode(ElfDiagnosticCodes.UnresolvedFunction));

        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
        Assert.Contains("'missing_function'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weak_undefined_is_quiet()
    {
        Assert.DoesNotContain(RunUndefined().Diagnostics, d => d.Message.Contains("missing_weak", StringComparison.Ordinal));
    }

    [Fact]
    public void Kernel_exports_resolve_libc_calls()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/libundefined.so", samples.Undefined)
            .Add("/usr/lib/libdatadef.so", samples.DataDefinitionsBuild)
            .Analyze(["/app/libundefined.so"], ElfSamples.CurrentKernel(s_libcExports.Value));

        Assert.Empty(run.WithCode(ElfDiagnosticCodes.UnresolvedData));
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.UnresolvedFunction));
    }

    [Fact]
    public void Empty_kernel_exports_report_libc_calls()
    {
        var run = new AnalysisRun()
            .Add("/app/pie", ElfSamples.Shared.Pie)
            .Analyze(["/app/pie"], ElfSamples.CurrentKernel(new HashSet<string>()));

        Assert.Contains(run.WithCode(ElfDiagnosticCodes.UnresolvedFunction), d => d.Message.Contains("'__libc_start_main'", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_kernel_exports_give_one_info()
    {
        var run = new AnalysisRun().Add("/app/pie", ElfSamples.Shared.Pie).Analyze(["/app/pie"]);

        Diagnostic info = Assert.Single(run.WithCode(ElfDiagnosticCodes.KernelExportsUnknown));
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.UnresolvedFunction));
    }

    [Fact]
    public void Unknown_kernel_exports_still_check_app_versions()
    {
        ElfSamples samples = ElfSamples.Shared;

        // bar@VER_1 comes from libh.so.1, which the kernel does not provide, so it is checked anyway.
        var run = new AnalysisRun()
            .Add("/app/libhuser.so", samples.HiddenUser)
            .Add("/usr/lib/libh.so.1", samples.HiddenRuntime)
            .Analyze(["/app/libhuser.so"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.UnresolvedFunction));
        Assert.Contains("'bar' (version VER_1 of libh.so.1)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hidden_version_does_not_bind()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/libhuser.so", samples.HiddenUser)
            .Add("/usr/lib/libh.so.1", samples.HiddenRuntime)
            .Analyze(["/app/libhuser.so"], ElfSamples.CurrentKernel(s_libcExports.Value));

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.UnresolvedFunction));
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
        Assert.Equal(["/app/libhuser.so"], finding.Chain);
    }

    [Fact]
    public void Default_version_binds()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/libhuser.so", samples.HiddenUser)
            .Add("/usr/lib/libh.so.1", samples.HiddenBuild)
            .Analyze(["/app/libhuser.so"], ElfSamples.CurrentKernel(s_libcExports.Value));

        Assert.Empty(run.WithCode(ElfDiagnosticCodes.UnresolvedFunction));
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.VersionMismatch));
    }

    [Fact]
    public void Needed_version_missing_in_old_library()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/libvuser.so", samples.VersionedUser)
            .Add("/usr/lib/libv.so.1", samples.VersionedOld)
            .Analyze(["/app/libvuser.so"], ElfSamples.CurrentKernel(s_libcExports.Value));

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.VersionNotDefined));
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
        Assert.Contains("VER_2 of libv.so.1", finding.Message, StringComparison.Ordinal);
        Assert.Equal(["/app/libvuser.so", "/usr/lib/libv.so.1"], finding.Chain);
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.VersionMismatch));
    }

    [Fact]
    public void Needed_version_present_in_new_library()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/libvuser.so", samples.VersionedUser)
            .Add("/usr/lib/libv.so.1", samples.VersionedNew)
            .Analyze(["/app/libvuser.so"], ElfSamples.CurrentKernel(s_libcExports.Value));

        Assert.Empty(run.WithCode(ElfDiagnosticCodes.VersionNotDefined));
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.VersionMismatch));
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.UnresolvedFunction));
    }

    [Fact]
    public void Binding_to_other_version_is_warned()
    {
        ElfSamples samples = ElfSamples.Shared;

        // Load order: libprefoo, libfooold (foo@@VER_1), libvuser, libv (foo@@VER_2); OSv binds to the first.
        var run = new AnalysisRun()
            .Add("/app/libprefoo.so", samples.PreFoo)
            .Add("/usr/lib/libfooold.so", samples.FooOld)
            .Add("/usr/lib/libvuser.so", samples.VersionedUser)
            .Add("/usr/lib/libv.so.1", samples.VersionedNew)
            .Analyze(["/app/libprefoo.so"], ElfSamples.CurrentKernel(s_libcExports.Value));

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.VersionMismatch));
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
        Assert.Contains("foo@VER_2", finding.Message, StringComparison.Ordinal);
        Assert.Contains("foo@VER_1 in /usr/lib/libfooold.so", finding.Message, StringComparison.Ordinal);
        Assert.Equal(["/app/libprefoo.so", "/usr/lib/libvuser.so", "/usr/lib/libfooold.so"], finding.Chain);
    }
}
