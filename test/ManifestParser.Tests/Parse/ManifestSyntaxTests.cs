using Osv.Diagnostics;
using Osv.ManifestParser.Tests.Support;
using Osv.Manifests.Parse;
using static Osv.ManifestParser.Tests.Support.Manifests;

namespace Osv.ManifestParser.Tests.Parse;

public class ManifestSyntaxTests
{
    [Fact]
    public void Plain_entry_fields()
    {
        var (entries, diagnostics) = Read("/app/hello.so: hello.so\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal("/app/hello.so", entry.GuestPath);
        Assert.Equal("/app/hello.so", entry.NormalizedGuestPath);
        Assert.Equal("hello.so", entry.HostSpec);
        Assert.Equal(ManifestEntryKind.HostPath, entry.Kind);
        Assert.Equal("/build/release/hello.so", entry.HostPath);
        Assert.Null(entry.LinkTarget);
        Assert.Equal(new SourceLocation(FileName, 1, 1), entry.Location);
        Assert.Equal(new SourceLocation(FileName, 1, 16), entry.HostLocation);
    }

    [Fact]
    public void Skipped_lines_keep_line_numbers()
    {
        string text = "[manifest]\n# comment\n\n   \t# indented comment\n  [manifest]\n\t\n/a: b\n";

        var (entries, diagnostics) = Read(text);

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal(7, entry.Location.Line);
    }

    [Fact]
    public void Blanks_around_parts_are_stripped()
    {
        var (entries, diagnostics) = Read("  /a  :   b \x1c\t\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal("/a", entry.GuestPath);
        Assert.Equal("b", entry.HostSpec);
        Assert.Equal(3, entry.Location.Column);
        Assert.Equal(11, entry.HostLocation.Column);
    }

    [Fact]
    public void Definition_is_formatted()
    {
        var options = new ManifestReaderOptions { BaseDirectory = Base, Definitions = Map(("libgcc_s_dir", "/usr/lib/gcc/12")) };

        var (entries, diagnostics) = Read("/usr/lib/libgcc_s.so.1: %(libgcc_s_dir)s/libgcc_s.so.1\n", options);

        Assert.Empty(diagnostics);
        Assert.Equal("/usr/lib/gcc/12/libgcc_s.so.1", Assert.Single(entries).HostSpec);
    }

    [Fact]
    public void Double_percent_is_literal()
    {
        var (entries, diagnostics) = Read("/a: 100%%/b\n");

        Assert.Empty(diagnostics);
        Assert.Equal("100%/b", Assert.Single(entries).HostSpec);
    }

    [Theory]
    [InlineData("%(d)r", "'v'")]
    [InlineData("%(d)a", "'v'")]
    [InlineData("%(d)4s", "   v")]
    [InlineData("%(d)-4s|", "v   |")]
    [InlineData("%(long)2.3s", "abc")]
    [InlineData("%(d)c", "v")]
    [InlineData("%(d)ls", "v")]
    [InlineData("%(d)05s", "    v")]
    [InlineData("x%(d).s", "x")]
    [InlineData("%(quote)r", "\"it's\"")]
    [InlineData("%(accent)r", "'é'")]
    [InlineData("%(accent)a", "'\\xe9'")]
    [InlineData("%((d))s", "nested")]
    public void Python_format_forms(string hostValue, string expected)
    {
        var options = new ManifestReaderOptions
        {
            BaseDirectory = Base,
            Definitions = Map(("d", "v"), ("long", "abcdef"), ("quote", "it's"), ("accent", "é"), ("(d)", "nested")),
        };

        var (entries, diagnostics) = Read($"/a: {hostValue}\n", options);

        Assert.Empty(diagnostics);
        Assert.Equal(expected, Assert.Single(entries).HostSpec);
    }

    [Fact]
    public void Format_applies_to_host_only()
    {
        var options = new ManifestReaderOptions { BaseDirectory = Base, Definitions = Map(("d", "v")) };

        var (entries, _) = Read("/%(d)s: x\n", options);

        Assert.Equal("/%(d)s", Assert.Single(entries).GuestPath);
    }

    [Fact]
    public void Tree_entry_fields()
    {
        var (entries, diagnostics) = Read("/usr/lib/**: ROOTFS/usr/lib/**\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal(ManifestEntryKind.HostTree, entry.Kind);
        Assert.Equal("/usr/lib/**", entry.GuestPath);
        Assert.Equal("/usr/lib", entry.NormalizedGuestPath);
        Assert.Equal("ROOTFS/usr/lib/**", entry.HostSpec);
        Assert.Equal("/build/release/ROOTFS/usr/lib", entry.HostPath);
    }

    [Fact]
    public void Root_tree_normalises_to_root()
    {
        var (entries, diagnostics) = Read("/**: /apps/perl/ROOTFS/**\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal("/", entry.NormalizedGuestPath);
        Assert.Equal("/apps/perl/ROOTFS", entry.HostPath);
    }

    [Fact]
    public void Ampersand_shorthand_expands()
    {
        var (entries, diagnostics) = Read("/&/etc/hosts: ../../static/&\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal("/etc/hosts", entry.GuestPath);
        Assert.Equal("../../static/etc/hosts", entry.HostSpec);
        Assert.Equal("/build/release/../../static/etc/hosts", entry.HostPath);
    }

    [Fact]
    public void Ampersand_with_prefix_expands()
    {
        var (entries, _) = Read("/usr/&/lib/x.so: /opt/&\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Equal("/usr/lib/x.so", entry.GuestPath);
        Assert.Equal("/opt/lib/x.so", entry.HostSpec);
    }

    [Fact]
    public void Symlink_entry_fields()
    {
        var (entries, diagnostics) = Read("/etc/mnttab: ->/proc/mounts\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal(ManifestEntryKind.Symlink, entry.Kind);
        Assert.Equal("->/proc/mounts", entry.HostSpec);
        Assert.Equal("/proc/mounts", entry.LinkTarget);
        Assert.Null(entry.HostPath);
    }

    [Fact]
    public void NoFollow_entry_fields()
    {
        var (entries, diagnostics) = Read("/lib/x.so: !lib/x.so\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal(ManifestEntryKind.HostPathNoFollow, entry.Kind);
        Assert.Equal("!lib/x.so", entry.HostSpec);
        Assert.Equal("/build/release/lib/x.so", entry.HostPath);
    }

    [Fact]
    public void Absolute_host_path_kept()
    {
        var (entries, _) = Read("/a: /opt/a\n");

        Assert.Equal("/opt/a", Assert.Single(entries).HostPath);
    }

    [Fact]
    public void Directory_entry_is_host_path()
    {
        var (entries, diagnostics) = Read("/dev: ../../static\n");

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal(ManifestEntryKind.HostPath, entry.Kind);
        Assert.Equal("/build/release/../../static", entry.HostPath);
    }

    [Fact]
    public void Module_variable_expands()
    {
        var options = new ManifestReaderOptions { BaseDirectory = Base, ModuleVariables = Map(("MODULE_DIR", "/apps/fio")) };

        var (entries, diagnostics) = Read("/fio: ${MODULE_DIR}/fio/fio\n", options);

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal("/apps/fio/fio/fio", entry.HostSpec);
        Assert.Equal(7, entry.HostLocation.Column);
    }

    [Fact]
    public void Module_variable_in_guest_path()
    {
        var options = new ManifestReaderOptions { BaseDirectory = Base, ModuleVariables = Map(("APP", "fio")) };

        var (entries, _) = Read("/${APP}/x: y\n", options);

        Assert.Equal("/fio/x", Assert.Single(entries).GuestPath);
    }

    [Fact]
    public void Libgcc_directory_replaced_everywhere()
    {
        var options = new ManifestReaderOptions { BaseDirectory = Base, Definitions = Map(("libgcc_s_dir", "/gcc")) };

        var (entries, diagnostics) = Read("/x%(libgcc_s_dir)s/y: %(libgcc_s_dir)s/y\n", options);

        ManifestEntry entry = Assert.Single(entries);
        Assert.Empty(diagnostics);
        Assert.Equal("/x/gcc/y", entry.GuestPath);
        Assert.Equal("/gcc/y", entry.HostSpec);
    }

    [Fact]
    public void Crlf_matches_lf()
    {
        var (lf, _) = Read("# c\n/a: b\n/c: d\n");
        var (crlf, diagnostics) = Read("# c\r\n/a: b\r\n/c: d\r\n");

        Assert.Empty(diagnostics);
        Assert.Equal(lf.Select(e => (e.GuestPath, e.HostSpec, e.Location)), crlf.Select(e => (e.GuestPath, e.HostSpec, e.Location)));
    }

    [Fact]
    public void Lone_cr_ends_line()
    {
        var (entries, diagnostics) = Read("/a: b\r/c: d");

        Assert.Empty(diagnostics);
        Assert.Equal([1, 2], entries.Select(e => e.Location.Line));
    }

    [Fact]
    public void Crlf_bytes_match_lf()
    {
        var (entries, diagnostics) = ReadBytes("/a: b\r\n/c: d\r\n"u8.ToArray());

        Assert.Empty(diagnostics);
        Assert.Equal(["b", "d"], entries.Select(e => e.HostSpec));
    }

    [Fact]
    public void ReadFile_uses_manifest_folder_as_base()
    {
        using var temp = new TempDirectory();
        string path = temp.File("module/usr.manifest", "/a: lib/a.so\n");
        var diagnostics = new DiagnosticBag();

        IReadOnlyList<ManifestEntry> entries = new ManifestReader().ReadFile(path, diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal(temp["module"] + "/lib/a.so", Assert.Single(entries).HostPath);
        Assert.Equal(path, entries[0].Location.File);
    }
}
