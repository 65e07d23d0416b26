using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;

namespace Osv.ImageBuilder.Tests.Analyse;

public class GuestLoaderTests
{
    [Fact]
    public void Runpath_origin_finds_sibling_lib()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/bin/main", samples.RunPathProgram)
            .Add("/app/lib/libdep.so", samples.RunPathLibrary)
            .Analyze(["/app/bin/main"]);

        Assert.False(run.Diagnostics.HasErrors, run.Dump());
        Assert.Equal(["/app/bin/main", "/app/lib/libdep.so"], run.Result!.Programs[0].LoadOrder);
        NeededResolution dep = Assert.Single(run.Result.Find("/app/bin/main")!.Needed, n => n.Name == "libdep.so");
        Assert.Equal("/app/lib/libdep.so", dep.Describe());
        NeededResolution libc = Assert.Single(run.Result.Find("/app/bin/main")!.Needed, n => n.Name == "libc.so.6");
        Assert.Equal("kernel", libc.Describe());
    }

    [Fact]
    public void Library_outside_search_path()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/bin/main", samples.RunPathProgram)
            .Add("/app/libs/libdep.so", samples.RunPathLibrary)
            .Analyze(["/app/bin/main"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.LibraryNotLoadable));
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Equal(["/app/bin/main"], finding.Chain);
        Assert.Contains("/app/lib/libdep.so, /libdep.so, /usr/lib/libdep.so", finding.Message, StringComparison.Ordinal);
        Assert.Contains("The image has it at /app/libs/libdep.so", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlink_in_guest_is_followed()
    {
        ElfSamples samples = ElfSamples.Shared;
        var run = new AnalysisRun()
            .Add("/app/bin/main", samples.RunPathProgram)
            .Add("/opt/dep/libdep.so", samples.RunPathLibrary);
        run.Plan.AddSymlink("/app/lib", "../opt/dep", origin: null);

        run.Analyze(["/app/bin/main"]);

        Assert.Empty(run.WithCode(ElfDiagnosticCodes.LibraryNotLoadable));
        Assert.Equal(["/app/bin/main", "/opt/dep/libdep.so"], run.Result!.Programs[0].LoadOrder);
    }

    [Fact]
    public void Load_order_is_depth_first()
    {
        ElfSamples samples = ElfSamples.Shared;

        // libtop needs libmiddle then libbottom; libmiddle needs libbottom, so OSv loads bottom while loading middle.
        var run = new AnalysisRun()
            .Add("/app/libtop.so", samples.Chain)
            .Add("/usr/lib/libmiddle.so", samples.ChainMiddle)
            .Add("/usr/lib/libbottom.so", samples.ChainBottom)
            .Analyze(["/app/libtop.so"]);

        Assert.Equal(["/app/libtop.so", "/usr/lib/libmiddle.so", "/usr/lib/libbottom.so"], run.Result!.Programs[0].LoadOrder);
    }

    [Fact]
    public void Missing_deep_dependency_has_chain()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/libtop.so", samples.Chain)
            .Add("/usr/lib/libmiddle.so", samples.ChainMiddle)
            .Analyze(["/app/libtop.so"]);

        Diagnostic[] findings = run.WithCode(ElfDiagnosticCodes.LibraryNotLoadable);
        Assert.Equal(2, findings.Length);
        Assert.Equal(["/app/libtop.so", "/usr/lib/libmiddle.so"], findings[0].Chain);
        Assert.Equal(["/app/libtop.so"], findings[1].Chain);
        Assert.All(findings, f => Assert.Contains("libbottom.so", f.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Braced_origin_is_warned()
    {
        var run = new AnalysisRun().Add("/app/libbraced.so", ElfSamples.Shared.BracedOrigin).Analyze(["/app/libbraced.so"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.UnexpandedToken));
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
        Assert.Contains("${ORIGIN}", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_program()
    {
        var run = new AnalysisRun().Add("/app/pie", ElfSamples.Shared.Pie).Analyze(["/app/other"]);

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.ProgramNotLoadable));
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Contains("/app/other", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Program_found_in_usr_lib_by_name()
    {
        var run = new AnalysisRun().Add("/usr/lib/libshared.so.1", ElfSamples.Shared.SharedObject).Analyze(["libshared.so.1"]);

        Assert.Empty(run.WithCode(ElfDiagnosticCodes.ProgramNotLoadable));
        Assert.Equal("/usr/lib/libshared.so.1", run.Result!.Programs[0].GuestPath);
    }

    [Fact]
    public void Unloaded_object_gets_resolutions()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/bin/main", samples.RunPathProgram)
            .Add("/app/lib/libdep.so", samples.RunPathLibrary)
            .Analyze([]);

        ElfObjectRecord record = run.Result!.Find("/app/bin/main")!;
        Assert.False(record.IsLoaded);
        Assert.Equal(["/app/lib/libdep.so", "kernel"], record.Needed.Select(n => n.Describe()));
    }
}
