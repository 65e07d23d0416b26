using System.Text;
using Osv.Diagnostics;
using Osv.ManifestParser.Tests.Support;
using Osv.Manifests.Parse;
using static Osv.ManifestParser.Tests.Support.Manifests;

namespace Osv.ManifestParser.Tests.Parse;

public class ManifestDiagnosticTests
{
    private static readonly ManifestReaderOptions s_withDefinitions = new()
    {
        BaseDirectory = Base,
        Definitions = Map(("d", "v"), ("long", "abc")),
    };

    // Each case: manifest text, expected code, severity, line and column of the only diagnostic.
    [Theory]
    [InlineData("# c\n/a:b\n", ManifestCodes.MissingSeparator, DiagnosticSeverity.Error, 2, 3)]
    [InlineData("   justtext\n", ManifestCodes.MissingSeparator, DiagnosticSeverity.Error, 1, 4)]
    [InlineData("/a:\tb\n", ManifestCodes.MissingSeparator, DiagnosticSeverity.Error, 1, 3)]
    [InlineData("/a: \n", ManifestCodes.MissingSeparator, DiagnosticSeverity.Error, 1, 3)]
    [InlineData("/a: /b: /c\n", ManifestCodes.ExtraSeparator, DiagnosticSeverity.Warning, 1, 7)]
    [InlineData("\n/a: %(x)s\n", ManifestCodes.UndefinedDefinition, DiagnosticSeverity.Error, 2, 5)]
    [InlineData("/a: x%(y\n", ManifestCodes.UnterminatedFormatKey, DiagnosticSeverity.Error, 1, 6)]
    [InlineData("/a: 100%\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 8)]
    [InlineData("/a: %s\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a: x/%(d)d\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 7)]
    [InlineData("/a: %(d)q\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a: %(d)*s\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a: %(d)5%\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a: %(long)c\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a: %(d)\n", ManifestCodes.InvalidFormat, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a: ${X}/b\n", ManifestCodes.UndefinedVariable, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a: ${B\n", ManifestCodes.GreedyVariable, DiagnosticSeverity.Warning, 1, 5)]
    [InlineData("/a//b: x\n", ManifestCodes.InvalidGuestPath, DiagnosticSeverity.Error, 1, 1)]
    [InlineData("/../x: y\n", ManifestCodes.InvalidGuestPath, DiagnosticSeverity.Error, 1, 1)]
    [InlineData(": y\n", ManifestCodes.InvalidGuestPath, DiagnosticSeverity.Error, 1, 1)]
    [InlineData("  tools/x.so: y\n", ManifestCodes.RelativeGuestPath, DiagnosticSeverity.Warning, 1, 3)]
    [InlineData("/a: b\n/c: d\n /a: e\n", ManifestCodes.DuplicateGuestPath, DiagnosticSeverity.Warning, 3, 2)]
    [InlineData("/lib/x-stripped.so: x.so\n", ManifestCodes.StrippedEntry, DiagnosticSeverity.Warning, 1, 1)]
    [InlineData("/lib/x.so: x-stripped.so\n", ManifestCodes.StrippedEntry, DiagnosticSeverity.Warning, 1, 1)]
    [InlineData("/a: ->\n", ManifestCodes.EmptyHostPath, DiagnosticSeverity.Error, 1, 5)]
    [InlineData("/a:  !\n", ManifestCodes.EmptyHostPath, DiagnosticSeverity.Error, 1, 6)]
    [InlineData("/a/**: b\n", ManifestCodes.OneSidedShorthand, DiagnosticSeverity.Warning, 1, 1)]
    [InlineData("/a: b/**\n", ManifestCodes.OneSidedShorthand, DiagnosticSeverity.Warning, 1, 5)]
    [InlineData("/&/x: y\n", ManifestCodes.OneSidedShorthand, DiagnosticSeverity.Warning, 1, 1)]
    [InlineData("/x: y/&\n", ManifestCodes.OneSidedShorthand, DiagnosticSeverity.Warning, 1, 5)]
    [InlineData("/a/**: ->b/**\n", ManifestCodes.MarkerOnTree, DiagnosticSeverity.Error, 1, 8)]
    [InlineData("/a/**: !b/**\n", ManifestCodes.MarkerOnTree, DiagnosticSeverity.Error, 1, 8)]
    public void Diagnostic_code_and_position(string text, string code, DiagnosticSeverity severity, int line, int column)
    {
        var (_, diagnostics) = Read(text, s_withDefinitions);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(new SourceLocation(FileName, line, column), diagnostic.Location);
    }

    [Fact]
    public void Duplicate_names_first_line()
    {
        var (entries, diagnostics) = Read("/a: b\n/c: d\n/a: e\n");

        Assert.Contains("line 1", Assert.Single(diagnostics).Message, StringComparison.Ordinal);
        Assert.Equal(3, entries.Count);
    }

    [Fact]
    public void Extra_separator_keeps_osv_host()
    {
        var (entries, _) = Read("/a: /b: /c\n");

        Assert.Equal("/b", Assert.Single(entries).HostSpec);
    }

    [Fact]
    public void Greedy_variable_warns_and_fails()
    {
        var options = new ManifestReaderOptions { ModuleVariables = Map(("A", "/x"), ("B", "/y")) };

        var (entries, diagnostics) = Read("${A}/x: ${B}/y\n", options);

        Assert.Empty(entries);
        Assert.Equal([ManifestCodes.GreedyVariable, ManifestCodes.UndefinedVariable], diagnostics.Select(d => d.Code));
        Assert.Contains("'A}/x: ${B'", diagnostics[0].Message, StringComparison.Ordinal);
        Assert.All(diagnostics, d => Assert.Equal(1, d.Location!.Value.Column));
    }

    [Fact]
    public void Greedy_variable_defined_substitutes()
    {
        var options = new ManifestReaderOptions { BaseDirectory = Base, ModuleVariables = Map(("A}/x: ${B", "/a: /b")) };

        var (entries, diagnostics) = Read("${A}/x: ${B}/y\n", options);

        Assert.Equal("/b/y", Assert.Single(entries).HostSpec);
        Assert.Equal(ManifestCodes.GreedyVariable, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Variable_in_comment_is_expanded()
    {
        var (_, diagnostics) = Read("# see ${MODULE_DIR}\n");

        Assert.Equal(ManifestCodes.UndefinedVariable, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Variable_with_line_break_rejected()
    {
        var options = new ManifestReaderOptions { ModuleVariables = Map(("M", "/a\n/b: c")) };

        var (entries, diagnostics) = Read("/x: ${M}\n", options);

        Assert.Empty(entries);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.LineBreakInValue, diagnostic.Code);
        Assert.Equal(new SourceLocation(FileName, 1, 5), diagnostic.Location);
    }

    [Fact]
    public void Format_error_column_after_variable()
    {
        var options = new ManifestReaderOptions { ModuleVariables = Map(("MODULE_DIR", "/a/very/long/module/dir")) };

        var (_, diagnostics) = Read("/x: ${MODULE_DIR}/%(y)s\n", options);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.UndefinedDefinition, diagnostic.Code);
        Assert.Equal(19, diagnostic.Location!.Value.Column);
    }

    [Fact]
    public void Format_error_column_after_libgcc()
    {
        var options = new ManifestReaderOptions { Definitions = Map(("libgcc_s_dir", "/usr/lib/gcc/x86_64-linux-gnu/12")) };

        var (_, diagnostics) = Read("/x: %(libgcc_s_dir)s/%(y)s\n", options);

        Assert.Equal(22, Assert.Single(diagnostics).Location!.Value.Column);
    }

    [Theory]
    [InlineData(ManifestTarget.Any, DiagnosticSeverity.Warning)]
    [InlineData(ManifestTarget.Bootfs, DiagnosticSeverity.Error)]
    public void Long_name_severity(ManifestTarget target, DiagnosticSeverity severity)
    {
        string guest = "/" + new string('a', 110);
        var options = new ManifestReaderOptions { BaseDirectory = Base, Target = target };

        var (_, diagnostics) = Read($"\n{guest}: x\n", options);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.NameTooLong, diagnostic.Code);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(new SourceLocation(FileName, 2, 1), diagnostic.Location);
    }

    [Fact]
    public void Long_name_counts_utf8_bytes()
    {
        string guest = "/" + new string('é', 55);
        var options = new ManifestReaderOptions { Target = ManifestTarget.Bootfs };

        var (_, diagnostics) = Read($"{guest}: x\n", options);

        Assert.Equal(ManifestCodes.NameTooLong, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Name_of_110_bytes_fits()
    {
        var options = new ManifestReaderOptions { Target = ManifestTarget.Bootfs };

        var (_, diagnostics) = Read("/" + new string('a', 109) + ": x\n", options);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Long_name_ignored_for_rofs()
    {
        var options = new ManifestReaderOptions { Target = ManifestTarget.Rofs };

        var (_, diagnostics) = Read("/" + new string('a', 200) + ": x\n", options);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Invalid_utf8_position()
    {
        byte[] bytes = [.. "/ok: a\n/a: b"u8, 0xFF, .. "c\n/d: e\n"u8];

        var (entries, diagnostics) = ReadBytes(bytes);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.InvalidUtf8, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(new SourceLocation(FileName, 2, 6), diagnostic.Location);
        Assert.Equal(["/ok", "/d"], entries.Select(e => e.GuestPath));
    }

    [Fact]
    public void Truncated_utf8_at_end()
    {
        byte[] bytes = [.. "/a: "u8, 0xC3];

        var (_, diagnostics) = ReadBytes(bytes);

        Assert.Equal(new SourceLocation(FileName, 1, 5), Assert.Single(diagnostics).Location);
    }

    [Fact]
    public void Bom_warns_and_is_skipped()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "[manifest]\n/a: b\n"u8];

        var (entries, diagnostics) = ReadBytes(bytes);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.ByteOrderMark, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(new SourceLocation(FileName, 1, 1), diagnostic.Location);
        Assert.Equal(new SourceLocation(FileName, 2, 1), Assert.Single(entries).Location);
    }

    [Fact]
    public void Bom_in_text_warns()
    {
        var (entries, diagnostics) = Read("\uFEFF/a: b\n");

        Assert.Equal(ManifestCodes.ByteOrderMark, Assert.Single(diagnostics).Code);
        Assert.Equal(1, Assert.Single(entries).Location.Column);
    }

    [Fact]
    public void Nul_byte_is_binary()
    {
        byte[] bytes = [.. "/a: b\r\n/c"u8, 0, .. "d: e\n"u8];

        var (entries, diagnostics) = ReadBytes(bytes);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Empty(entries);
        Assert.Equal(ManifestCodes.BinaryContent, diagnostic.Code);
        Assert.Equal(new SourceLocation(FileName, 2, 3), diagnostic.Location);
    }

    [Fact]
    public void Nul_char_in_text_is_binary()
    {
        var (_, diagnostics) = Read("/a: b\n\n/c\0");

        Assert.Equal(new SourceLocation(FileName, 3, 3), Assert.Single(diagnostics).Location);
    }

    [Fact]
    public void Lone_surrogate_rejected()
    {
        var (_, diagnostics) = Read("/a: b\uD800c\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.InvalidUtf8, diagnostic.Code);
        Assert.Equal(new SourceLocation(FileName, 1, 6), diagnostic.Location);
    }

    [Fact]
    public void Missing_file_unreadable()
    {
        var diagnostics = new DiagnosticBag();

        IReadOnlyList<ManifestEntry> entries = new ManifestReader().ReadFile("/nonexistent/usr.manifest", diagnostics);

        Assert.Empty(entries);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.UnreadableFile, diagnostic.Code);
        Assert.Equal(new SourceLocation("/nonexistent/usr.manifest"), diagnostic.Location);
    }

    [Fact]
    public void Directory_file_unreadable()
    {
        using var temp = new TempDirectory();
        var diagnostics = new DiagnosticBag();

        new ManifestReader().ReadFile(temp.Path, diagnostics);

        Assert.Equal(ManifestCodes.UnreadableFile, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Flood_is_capped()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            text.Append("no separator\n");
        }

        var (_, diagnostics) = Read(text.ToString());

        Assert.Equal(201, diagnostics.Count);
        Assert.Equal(ManifestCodes.TooManyDiagnostics, diagnostics[^1].Code);
        Assert.Contains("100 more", diagnostics[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_and_warnings_are_distinct()
    {
        var (_, diagnostics) = Read("/a: /b: /c\n/d\n");

        Assert.Equal([DiagnosticSeverity.Warning, DiagnosticSeverity.Error], diagnostics.Select(d => d.Severity));
    }
}
