using Osv.Diagnostics;
using Osv.ManifestParser.Tests.Support;
using Osv.Manifests.Expand;
using Osv.Manifests.Parse;
using Osv.Plan;

namespace Osv.ManifestParser.Tests.Expand;

public sealed class PlanExpanderTests : IDisposable
{
    private readonly TempDirectory _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void File_entry_becomes_file()
    {
        _host.File("hello.so", "12345");

        var (plan, diagnostics) = Expand("/app/hello.so: hello.so\n");

        Assert.Empty(diagnostics);
        GuestFile file = Assert.IsType<GuestFile>(plan.Find("/app/hello.so"));
        Assert.Equal(_host["hello.so"], file.HostPath);
        Assert.Equal(5, file.Size);
        Assert.Equal(new SourceLocation("test.manifest", 1, 1), file.Origin);
    }

    [Fact]
    public void Directory_entry_becomes_empty_directory()
    {
        _host.File("static/etc/hosts");

        var (plan, diagnostics) = Expand("/dev: static\n");

        Assert.Empty(diagnostics);
        GuestDirectory directory = Assert.IsType<GuestDirectory>(plan.Find("/dev"));
        Assert.Empty(directory.Children);
        Assert.Equal(_host["static"], directory.HostPath);
    }

    [Fact]
    public void Arrow_entry_becomes_symlink()
    {
        var (plan, diagnostics) = Expand("/etc/mnttab: ->/proc/mounts\n");

        Assert.Empty(diagnostics);
        GuestSymlink link = Assert.IsType<GuestSymlink>(plan.Find("/etc/mnttab"));
        Assert.Equal("/proc/mounts", link.Target);
        Assert.Null(link.HostPath);
    }

    [Fact]
    public void Tree_copies_files_in_ordinal_order()
    {
        _host.File("root/b");
        _host.File("root/a");
        _host.File("root/B");
        _host.File("root/sub/z");
        _host.File("root/sub/deeper/y");
        _host.File("root/A/x");

        var (plan, diagnostics) = Expand("/opt/**: root/**\n");

        Assert.Empty(diagnostics);
        Assert.Equal(
            ["/opt/B", "/opt/a", "/opt/b", "/opt/A/x", "/opt/sub/z", "/opt/sub/deeper/y"],
            plan.Entries.Select(e => e.GuestPath));
        Assert.All(plan.Entries, e => Assert.Equal(1, e.Node.Origin!.Value.Line));
    }

    [Fact]
    public void Tree_at_root()
    {
        _host.File("rootfs/usr/bin/perl");

        var (plan, diagnostics) = Expand("/**: rootfs/**\n");

        Assert.Empty(diagnostics);
        Assert.IsType<GuestFile>(plan.Find("/usr/bin/perl"));
    }

    [Fact]
    public void Tree_reports_empty_directories()
    {
        _host.File("root/f");
        _host.Dir("root/empty/inner");

        var (plan, diagnostics) = Expand("/t/**: root/**\n");

        Assert.Null(plan.Find("/t/empty"));
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.TreeEmptyDirectory, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Equal(new SourceLocation("test.manifest", 1, 1), diagnostic.Location);
        Assert.Contains("root/empty'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tree_root_missing_is_error()
    {
        var (_, diagnostics) = Expand("\n/t/**: nothere/**\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.TreeRootNotDirectory, diagnostic.Code);
        Assert.Equal(2, diagnostic.Location!.Value.Line);
    }

    [Fact]
    public void Tree_root_file_is_error()
    {
        _host.File("file");

        var (_, diagnostics) = Expand("/t/**: file/**\n");

        Assert.Equal(ManifestCodes.TreeRootNotDirectory, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Relative_link_is_resolved()
    {
        _host.File("lib/libz.so.1.2", "zz");
        _host.Link("lib/libz.so.1", "libz.so.1.2");

        var (plan, diagnostics) = Expand("/usr/lib/libz.so.1: lib/libz.so.1\n");

        Assert.Empty(diagnostics);
        GuestFile file = Assert.IsType<GuestFile>(plan.Find("/usr/lib/libz.so.1"));
        Assert.Equal(_host["lib/libz.so.1.2"], file.HostPath);
        Assert.Equal(2, file.Size);
    }

    [Fact]
    public void Absolute_link_found_under_ancestor()
    {
        _host.File("sysroot/lib/libfoo.so.1", "foo");
        _host.Link("sysroot/usr/lib/libfoo.so", "/lib/libfoo.so.1");

        var (plan, diagnostics) = Expand("/libfoo.so: sysroot/usr/lib/libfoo.so\n");

        Assert.Empty(diagnostics);
        Assert.Equal(_host["sysroot/lib/libfoo.so.1"], Assert.IsType<GuestFile>(plan.Find("/libfoo.so")).HostPath);
    }

    [Fact]
    public void Absolute_link_nearest_ancestor_wins()
    {
        _host.File("sysroot/lib/libfoo.so.1", "far");
        _host.File("sysroot/usr/lib/libfoo.so.1", "near");
        _host.Link("sysroot/usr/lib/libfoo.so", "/lib/libfoo.so.1");

        var (plan, _) = Expand("/libfoo.so: sysroot/usr/lib/libfoo.so\n");

        Assert.Equal(_host["sysroot/usr/lib/libfoo.so.1"], Assert.IsType<GuestFile>(plan.Find("/libfoo.so")).HostPath);
    }

    [Fact]
    public void Dangling_absolute_link_kept_for_rofs()
    {
        _host.Link("lib/libgone.so", "/nonexistent-osv-test/libgone.so.1");

        var (plan, diagnostics) = Expand("/libgone.so: lib/libgone.so\n", ManifestTarget.Rofs);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.DanglingSymlinkKept, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(new SourceLocation("test.manifest", 1, 14), diagnostic.Location);
        GuestSymlink link = Assert.IsType<GuestSymlink>(plan.Find("/libgone.so"));
        Assert.Equal("/nonexistent-osv-test/libgone.so.1", link.Target);
    }

    [Fact]
    public void Dangling_absolute_link_fails_for_bootfs()
    {
        _host.Link("lib/libgone.so", "/nonexistent-osv-test/libgone.so.1");

        var (plan, diagnostics) = Expand("/libgone.so: lib/libgone.so\n", ManifestTarget.Bootfs);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.HostPathNotFound, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Null(plan.Find("/libgone.so"));
    }

    [Fact]
    public void Dangling_relative_link_is_missing()
    {
        _host.Link("lib/libgone.so", "libgone.so.1");

        var (_, diagnostics) = Expand("/libgone.so: lib/libgone.so\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.HostPathNotFound, diagnostic.Code);
        Assert.Contains("libgone.so -> libgone.so.1", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlink_loop_names_the_loop()
    {
        _host.Link("a", "b");
        _host.Link("b", "a");

        var (plan, diagnostics) = Expand("/x: ok\n/a: a\n", ManifestTarget.Rofs, createOk: true);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.SymlinkLoop, diagnostic.Code);
        Assert.Equal(new SourceLocation("test.manifest", 2, 5), diagnostic.Location);
        Assert.Contains($"{_host["a"]} -> b", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("-> a", diagnostic.Message, StringComparison.Ordinal);
        Assert.NotNull(plan.Find("/x"));
    }

    [Fact]
    public void Self_link_is_loop()
    {
        _host.Link("self", "self");

        var (_, diagnostics) = Expand("/self: self\n");

        Assert.Equal(ManifestCodes.SymlinkLoop, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Absolute_link_loop_is_loop()
    {
        _host.Link("a", _host["b"]);
        _host.Link("b", _host["a"]);

        var (_, diagnostics) = Expand("/a: a\n");

        Assert.Equal(ManifestCodes.SymlinkLoop, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Tree_directory_link_loop_terminates()
    {
        _host.File("tree/f");
        _host.File("tree/sub/g");
        _host.Link("tree/sub/up", "..");

        var (plan, diagnostics) = Expand("# tree\n/t/**: tree/**\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.TreeLoop, diagnostic.Code);
        Assert.Equal(new SourceLocation("test.manifest", 2, 1), diagnostic.Location);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(_host["tree/sub/up"], diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(["/t/f", "/t/sub/g"], plan.Entries.Select(e => e.GuestPath));
    }

    [Fact]
    public void Tree_follows_directory_links()
    {
        _host.File("shared/data.txt");
        _host.File("tree/f");
        _host.Link("tree/linked", "../shared");

        var (plan, diagnostics) = Expand("/t/**: tree/**\n");

        Assert.Empty(diagnostics);
        GuestFile file = Assert.IsType<GuestFile>(plan.Find("/t/linked/data.txt"));
        Assert.Equal(_host["shared/data.txt"], file.HostPath);
    }

    [Fact]
    public void Tree_skips_directory_links_like_osv()
    {
        _host.File("shared/data.txt");
        _host.File("tree/f");
        _host.Link("tree/linked", "../shared");
        var options = new ExpansionOptions { FollowDirectorySymlinksInTrees = false };

        var (plan, diagnostics) = Expand("/t/**: tree/**\n", options);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.TreeDirectorySymlinkSkipped, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(new SourceLocation("test.manifest", 1, 1), diagnostic.Location);
        Assert.Null(plan.Find("/t/linked"));
        Assert.NotNull(plan.Find("/t/f"));
    }

    [Fact]
    public void Tree_file_link_is_resolved()
    {
        _host.File("elsewhere/real", "abc");
        _host.Link("tree/alias", "../elsewhere/real");

        var (plan, diagnostics) = Expand("/t/**: tree/**\n");

        Assert.Empty(diagnostics);
        Assert.Equal(_host["elsewhere/real"], Assert.IsType<GuestFile>(plan.Find("/t/alias")).HostPath);
    }

    [Fact]
    public void Tree_broken_link_is_missing()
    {
        _host.File("tree/f");
        _host.Link("tree/broken", "nothere");

        var (plan, diagnostics) = Expand("/t/**: tree/**\n");

        Assert.Equal(ManifestCodes.HostPathNotFound, Assert.Single(diagnostics).Code);
        Assert.NotNull(plan.Find("/t/f"));
    }

    [Fact]
    public void Dotdot_after_directory_link_is_physical()
    {
        _host.File("real/x", "physical");
        _host.Dir("real/dir");
        _host.Link("a/link", "../real/dir");

        var (plan, diagnostics) = Expand("/x: a/link/../x\n");

        Assert.Empty(diagnostics);
        Assert.Equal(_host["real/x"], Assert.IsType<GuestFile>(plan.Find("/x")).HostPath);
    }

    [Fact]
    public void NoFollow_link_stays_link_for_rofs()
    {
        _host.File("lib/libz.so.1.2");
        _host.Link("lib/libz.so.1", "libz.so.1.2");

        var (plan, diagnostics) = Expand("/lib/libz.so.1: !lib/libz.so.1\n", ManifestTarget.Rofs);

        Assert.Empty(diagnostics);
        GuestSymlink link = Assert.IsType<GuestSymlink>(plan.Find("/lib/libz.so.1"));
        Assert.Equal("libz.so.1.2", link.Target);
        Assert.Equal(_host["lib/libz.so.1"], link.HostPath);
    }

    [Fact]
    public void NoFollow_link_copied_for_bootfs()
    {
        _host.File("lib/libz.so.1.2", "content");
        _host.Link("lib/libz.so.1", "libz.so.1.2");

        var (plan, diagnostics) = Expand("/lib/libz.so.1: !lib/libz.so.1\n", ManifestTarget.Bootfs);

        Assert.Empty(diagnostics);
        GuestFile file = Assert.IsType<GuestFile>(plan.Find("/lib/libz.so.1"));
        Assert.Equal(_host["lib/libz.so.1.2"], file.HostPath);
        Assert.Equal(7, file.Size);
    }

    [Fact]
    public void NoFollow_plain_file()
    {
        _host.File("f");

        var (plan, diagnostics) = Expand("/f: !f\n");

        Assert.Empty(diagnostics);
        Assert.IsType<GuestFile>(plan.Find("/f"));
    }

    [Fact]
    public void NoFollow_missing_is_error()
    {
        var (_, diagnostics) = Expand("/f: !nothere\n");

        Assert.Equal(ManifestCodes.HostPathNotFound, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Missing_file_names_line()
    {
        _host.File("ok");

        var (plan, diagnostics) = Expand("/ok: ok\n\n/gone:   missing.so\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.HostPathNotFound, diagnostic.Code);
        Assert.Equal(new SourceLocation("test.manifest", 3, 10), diagnostic.Location);
        Assert.Contains("missing.so", diagnostic.Message, StringComparison.Ordinal);
        Assert.NotNull(plan.Find("/ok"));
    }

    [Fact]
    public void Duplicate_later_wins_in_place()
    {
        _host.File("one", "1");
        _host.File("two", "22");
        _host.File("other");

        var (plan, diagnostics) = Expand("/a: one\n/b: other\n/a: two\n");

        Assert.Equal(ManifestCodes.DuplicateGuestPath, Assert.Single(diagnostics).Code);
        Assert.Equal(["a", "b"], plan.Root.Children.Select(c => c.Name));
        Assert.Equal(_host["two"], Assert.IsType<GuestFile>(plan.Find("/a")).HostPath);
        Assert.Equal(["/a", "/b", "/a"], plan.Entries.Select(e => e.GuestPath));
    }

    [Fact]
    public void Tree_overlap_is_reported()
    {
        _host.File("tree/f");
        _host.File("single");

        var (plan, diagnostics) = Expand("/t/f: single\n/t/**: tree/**\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.DuplicateGuestPath, diagnostic.Code);
        Assert.Contains("test.manifest:1:1", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(_host["tree/f"], Assert.IsType<GuestFile>(plan.Find("/t/f")).HostPath);
    }

    [Fact]
    public void File_under_file_conflicts()
    {
        _host.File("f");

        var (_, diagnostics) = Expand("/a: f\n/a/b: f\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.GuestPathConflict, diagnostic.Code);
        Assert.Equal(2, diagnostic.Location!.Value.Line);
    }

    [Fact]
    public void Stripped_entries_are_left_out()
    {
        _host.File("x-stripped.so");
        _host.File("tree/y-stripped.so");
        _host.File("tree/y.so");

        var (plan, diagnostics) = Expand("/x.so: x-stripped.so\n/t/**: tree/**\n");

        Assert.Equal([ManifestCodes.StrippedEntry, ManifestCodes.StrippedEntry], diagnostics.Select(d => d.Code));
        Assert.Null(plan.Find("/x.so"));
        Assert.Null(plan.Find("/t/y-stripped.so"));
        Assert.NotNull(plan.Find("/t/y.so"));
    }

    [Theory]
    [InlineData(ManifestTarget.Bootfs, "/x.so: x-stripped.so", true)]
    [InlineData(ManifestTarget.Bootfs, "/x-stripped.so: x.so", false)]
    [InlineData(ManifestTarget.Rofs, "/x-stripped.so: x.so", true)]
    [InlineData(ManifestTarget.Rofs, "/x.so: x-stripped.so", false)]
    [InlineData(ManifestTarget.Zfs, "/x.so: link.so", false)]
    public void Stripped_rule_follows_target(ManifestTarget target, string line, bool kept)
    {
        _host.File("x-stripped.so");
        _host.File("x.so");
        _host.Link("link.so", "x-stripped.so");

        var (plan, diagnostics) = Expand(line + "\n", target);

        Assert.Equal(kept, plan.Entries.Count == 1);
        Assert.Equal(kept ? 0 : 1, diagnostics.Count(d => d.Code == ManifestCodes.StrippedEntry));
    }

    [Fact]
    public void Long_tree_name_fails_for_bootfs()
    {
        _host.File("tree/" + new string('n', 100));

        var (_, diagnostics) = Expand("/some/guest/dir/**: tree/**\n", ManifestTarget.Bootfs);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.NameTooLong, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
    }

    [Fact]
    public void Directory_name_counts_trailing_slash()
    {
        _host.Dir("d");
        string guest = "/" + new string('d', 109);

        var (_, diagnostics) = Expand($"{guest}: d\n", ManifestTarget.Bootfs);

        Assert.Equal(ManifestCodes.NameTooLong, Assert.Single(diagnostics).Code);
    }

    private (ImagePlan Plan, DiagnosticBag Diagnostics) Expand(string manifest, ManifestTarget target = ManifestTarget.Any, bool createOk = false) =>
        Expand(manifest, new ExpansionOptions { Target = target }, createOk);

    private (ImagePlan Plan, DiagnosticBag Diagnostics) Expand(string manifest, ExpansionOptions options, bool createOk = false)
    {
        if (createOk)
        {
            _host.File("ok");
        }

        var diagnostics = new DiagnosticBag();
        var reader = new ManifestReader(new ManifestReaderOptions { BaseDirectory = _host.Path, Target = options.Target });
        IReadOnlyList<ManifestEntry> entries = reader.ReadText(manifest, "test.manifest", diagnostics);
        ImagePlan plan = new PlanExpander(options).Expand(entries, diagnostics);
        return (plan, diagnostics);
    }
}
