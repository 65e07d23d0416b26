using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.Analyse;

public class HostClosureTests
{
    // Options that search only the given folders, so the host's own libraries do not interfere.
    private static ElfAnalysisOptions Isolated(params string[] libraryPaths) => new()
    {
        AddMissingLibraries = true,
        LibraryPaths = libraryPaths,
        UseLdSoConf = false,
        DefaultLibraryPaths = [],
    };

    private static string NewFolder(string name)
    {
        string path = Path.Combine(ElfSamples.Shared.Root, "closure", name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public void Library_path_adds_missing_library()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun().Add("/app/libneedsgone.so", samples.NeedsIsolated)
            .Analyze(["/app/libneedsgone.so"], options: Isolated(Path.GetDirectoryName(samples.IsolatedLibrary)!));

        GuestFile added = Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libgone.so"));
        Assert.Equal(samples.IsolatedLibrary, added.HostPath);
        Assert.Equal("DT_NEEDED of /app/libneedsgone.so", added.Reason);
        Assert.Equal(["/usr/lib/libgone.so"], run.Result!.AddedFiles);
        Diagnostic info = Assert.Single(run.WithCode(ElfDiagnosticCodes.LibraryAdded));
        Assert.Equal(["/app/libneedsgone.so", "/usr/lib/libgone.so"], info.Chain);
        Assert.False(run.Diagnostics.HasErrors, run.Dump());
    }

    [Fact]
    public void Missing_dependency_is_one_error()
    {
        var run = new AnalysisRun().Add("/app/libneedsgone.so", ElfSamples.Shared.NeedsIsolated)
            .Analyze(["/app/libneedsgone.so"], options: Isolated());

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.LibraryNotFoundOnHost));
        Assert.Equal(DiagnosticSeverity.Error, finding.Severity);
        Assert.Equal(["/app/libneedsgone.so"], finding.Chain);
        Assert.Contains("libgone.so", finding.Message, StringComparison.Ordinal);
        Assert.Empty(run.WithCode(ElfDiagnosticCodes.LibraryNotLoadable));
    }

    [Fact]
    public void Missing_dependency_of_unused_file_warns()
    {
        var run = new AnalysisRun().Add("/app/libneedsgone.so", ElfSamples.Shared.NeedsIsolated).Analyze([], options: Isolated());

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.LibraryNotFoundOnHost));
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
    }

    [Fact]
    public void Host_runpath_origin_is_searched()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun().Add("/app/bin/main", samples.RunPathProgram).Analyze(["/app/bin/main"], options: Isolated());

        GuestFile added = Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libdep.so"));
        Assert.Equal(samples.RunPathLibrary, added.HostPath);
        Assert.Equal(["/app/bin/main", "/usr/lib/libdep.so"], run.Result!.Programs[0].LoadOrder);
        Assert.False(run.Diagnostics.HasErrors, run.Dump());
    }

    [Fact]
    public void Present_library_is_not_added()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun()
            .Add("/app/bin/main", samples.RunPathProgram)
            .Add("/app/lib/libdep.so", samples.RunPathLibrary)
            .Analyze(["/app/bin/main"], options: Isolated(Path.GetDirectoryName(samples.RunPathLibrary)!));

        Assert.Empty(run.Result!.AddedFiles);
    }

    [Fact]
    public void Recursion_adds_whole_chain()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun().Add("/app/libtop.so", samples.Chain)
            .Analyze(["/app/libtop.so"], options: Isolated(Path.GetDirectoryName(samples.Chain)!));

        Assert.Equal(["/usr/lib/libmiddle.so", "/usr/lib/libbottom.so"], run.Result!.AddedFiles);
        Assert.Equal("DT_NEEDED of /app/libtop.so", Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libbottom.so")).Reason);
    }

    [Fact]
    public void Wrong_machine_candidate_is_skipped()
    {
        ElfSamples samples = ElfSamples.Shared;
        string arm = NewFolder("arm");
        byte[] bytes = File.ReadAllBytes(samples.IsolatedLibrary);
        bytes[18] = 183;
        File.WriteAllBytes(Path.Combine(arm, "libgone.so"), bytes);

        var run = new AnalysisRun().Add("/app/libneedsgone.so", samples.NeedsIsolated)
            .Analyze(["/app/libneedsgone.so"], options: Isolated(arm, Path.GetDirectoryName(samples.IsolatedLibrary)!));

        Assert.Equal(samples.IsolatedLibrary, Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libgone.so")).HostPath);
    }

    [Fact]
    public void Wrong_machine_only_is_reported()
    {
        ElfSamples samples = ElfSamples.Shared;
        string arm = NewFolder("arm-only");
        byte[] bytes = File.ReadAllBytes(samples.IsolatedLibrary);
        bytes[18] = 183;
        File.WriteAllBytes(Path.Combine(arm, "libgone.so"), bytes);

        var run = new AnalysisRun().Add("/app/libneedsgone.so", samples.NeedsIsolated)
            .Analyze(["/app/libneedsgone.so"], options: Isolated(arm));

        Diagnostic finding = Assert.Single(run.WithCode(ElfDiagnosticCodes.LibraryNotFoundOnHost));
        Assert.Contains("skipped", finding.Message, StringComparison.Ordinal);
        Assert.Contains("AArch64", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sysroot_ld_so_conf_and_absolute_symlink()
    {
        ElfSamples samples = ElfSamples.Shared;
        string sysroot = NewFolder("sysroot");
        Directory.CreateDirectory(Path.Combine(sysroot, "etc/ld.so.conf.d"));
        File.WriteAllText(Path.Combine(sysroot, "etc/ld.so.conf"), "# test\ninclude /etc/ld.so.conf.d/*.conf\n");
        File.WriteAllText(Path.Combine(sysroot, "etc/ld.so.conf.d/my.conf"), "/opt/mylibs\n");
        Directory.CreateDirectory(Path.Combine(sysroot, "opt/mylibs"));
        Directory.CreateDirectory(Path.Combine(sysroot, "opt/real"));
        File.Copy(samples.IsolatedLibrary, Path.Combine(sysroot, "opt/real/libgone.so.1.0"));

        // An absolute target means a path inside the sysroot, not on the host.
        File.CreateSymbolicLink(Path.Combine(sysroot, "opt/mylibs/libgone.so"), "/opt/real/libgone.so.1.0");

        var run = new AnalysisRun().Add("/app/libneedsgone.so", samples.NeedsIsolated)
            .Analyze(["/app/libneedsgone.so"], options: new ElfAnalysisOptions { Sysroot = sysroot });

        GuestFile added = Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libgone.so"));
        Assert.Equal(Path.Combine(sysroot, "opt/real/libgone.so.1.0"), added.HostPath);
    }

    [Fact]
    public void Program_rpath_serves_its_libraries()
    {
        ElfSamples samples = ElfSamples.Shared;

        var run = new AnalysisRun().Add("/app/rpath-program", samples.RPathProgram).Analyze(["/app/rpath-program"], options: Isolated());

        Assert.Equal(["/usr/lib/libmiddle.so", "/usr/lib/libbottom.so"], run.Result!.AddedFiles);
        Assert.Equal(samples.ChainBottom, Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libbottom.so")).HostPath);
        Assert.Equal("DT_NEEDED of /usr/lib/libmiddle.so", Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libbottom.so")).Reason);
    }

    [Fact]
    public void Sysroot_default_folder_is_searched()
    {
        ElfSamples samples = ElfSamples.Shared;
        string sysroot = NewFolder("sysroot-defaults");
        string folder = Path.Combine(sysroot, "usr/lib/x86_64-linux-gnu");
        Directory.CreateDirectory(folder);
        File.Copy(samples.IsolatedLibrary, Path.Combine(folder, "libgone.so"));

        var run = new AnalysisRun().Add("/app/libneedsgone.so", samples.NeedsIsolated)
            .Analyze(["/app/libneedsgone.so"], options: new ElfAnalysisOptions { Sysroot = sysroot });

        Assert.Equal(Path.Combine(folder, "libgone.so"), Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/libgone.so")).HostPath);
    }

    [Fact]
    public void Closure_matches_ldd_for_libevent()
    {
        ElfSamples samples = ElfSamples.Shared;
        if (!File.Exists(samples.EventProgram) || !HostTools.Exists("ldd"))
        {
            Assert.Skip("libevent-dev or ldd is missing; run .ci/install-prerequisites.");
        }

        var run = new AnalysisRun().Add("/app/event-echo", samples.EventProgram)
            .Analyze(["/app/event-echo"], options: new ElfAnalysisOptions());

        (int exitCode, string output, string error) = HostTools.Run("ldd", [samples.EventProgram]);
        Assert.True(exitCode == 0, error);
        Dictionary<string, string> ldd = ParseLdd(output);
        var provided = ElfSamples.CurrentKernel().ProvidedSonames;
        string[] expected = ldd.Keys.Where(name => !provided.Contains(name)).Order(StringComparer.Ordinal).ToArray();
        string[] actual = run.Result!.AddedFiles.Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

        Assert.True(expected.Length >= 4, $"ldd printed only {string.Join(", ", ldd.Keys)}");
        Assert.Equal(expected, actual);
        foreach (string name in expected)
        {
            GuestFile file = Assert.IsType<GuestFile>(run.Plan.Find("/usr/lib/" + name));
            Assert.Equal(RealPath(ldd[name]), file.HostPath);
        }

        Assert.False(run.Diagnostics.HasErrors, run.Dump());
    }

    // "name => /path (0x...)" lines; the vDSO has no file and the dynamic linker line has no "=>".
    private static Dictionary<string, string> ParseLdd(string output)
    {
        var libraries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3 && parts[1] == "=>" && parts[2].StartsWith('/'))
            {
                libraries[parts[0]] = parts[2];
            }
            else if (parts.Length >= 1 && parts[0].StartsWith('/'))
            {
                libraries[Path.GetFileName(parts[0])] = parts[0];
            }
        }

        return libraries;
    }

    // coreutils' realpath resolves every symbolic link of the path, /lib -> usr/lib included.
    private static string RealPath(string path) => HostTools.Run("realpath", ["-e", path]).Output.Trim();
}
