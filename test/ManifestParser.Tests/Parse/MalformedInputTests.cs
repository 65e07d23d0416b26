using System.Text;
using Osv.Diagnostics;
using Osv.ManifestParser.Tests.Support;
using Osv.Manifests.Parse;
using static Osv.ManifestParser.Tests.Support.Manifests;

namespace Osv.ManifestParser.Tests.Parse;

public class MalformedInputTests
{
    private const int FuzzIterations = 4000;

    private static readonly string[] s_tokens =
    [
        "/", "a", "usr", "lib", ": ", ":", " ", "\t", "%", "%%", "%(", "%(d)s", "%(x)s", ")", "s", "r", "d", "*", ".",
        "${", "${MODULE_DIR}", "}", "$", "**", "/**", "/&/", "/&", "&", "->", "!", "#", "[manifest]", "..", "//",
        "-stripped.so", "\n", "\r", "\r\n", "\x1c", "\u00a0", "é", "\uFEFF", "\uD800", "\0", "\u2028",
    ];

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20260817);
        var options = FuzzOptions();
        for (int i = 0; i < FuzzIterations; i++)
        {
            byte[] bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                // Half the inputs avoid NUL, so they get past the binary check into line parsing.
                for (int b = 0; b < bytes.Length; b++)
                {
                    bytes[b] = bytes[b] == 0 ? (byte)'\n' : bytes[b];
                }
            }

            var (entries, diagnostics) = ReadBytes(bytes, options);

            AssertWellFormed(entries, diagnostics);
        }
    }

    [Fact]
    public void Random_token_text_never_throws()
    {
        var random = new Random(4242);
        var options = FuzzOptions();
        var text = new StringBuilder();
        for (int i = 0; i < FuzzIterations; i++)
        {
            text.Clear();
            int count = random.Next(0, 60);
            for (int t = 0; t < count; t++)
            {
                text.Append(s_tokens[random.Next(s_tokens.Length)]);
            }

            var (entries, diagnostics) = Read(text.ToString(), options);
            AssertWellFormed(entries, diagnostics);

            var (byteEntries, byteDiagnostics) = ReadBytes(Encoding.UTF8.GetBytes(text.ToString()), options);
            AssertWellFormed(byteEntries, byteDiagnostics);
        }
    }

    [Fact]
    public void Ten_megabyte_line_parses()
    {
        string host = new('x', 10 * 1024 * 1024);

        var (entries, diagnostics) = Read("/a: " + host + "\n");

        Assert.Empty(diagnostics);
        Assert.Equal(host.Length, Assert.Single(entries).HostSpec.Length);
    }

    [Theory]
    [InlineData("{0}/a: b: {0}")]
    [InlineData("/a//{0}: b")]
    [InlineData("/a: %({0}")]
    [InlineData("/a: ${{{0}}}")]
    public void Long_line_messages_are_short(string pattern)
    {
        // One megabyte shows the shortening as well as ten and keeps the test fast.
        string line = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, new string('x', 1024 * 1024));

        var (_, diagnostics) = ReadBytes(Encoding.ASCII.GetBytes(line));

        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.True(d.Message.Length < 1000, $"{d.Code}: the message is {d.Message.Length} characters long."));
    }

    [Fact]
    public void Ten_megabyte_guest_without_separator()
    {
        var (entries, diagnostics) = Read(new string('/', 10 * 1024 * 1024));

        Assert.Empty(entries);
        Assert.Equal(ManifestCodes.MissingSeparator, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Binary_garbage_is_diagnosed()
    {
        byte[] bytes = [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0xFF, 0xFE];

        var (entries, diagnostics) = ReadBytes(bytes);

        Assert.Empty(entries);
        Assert.Equal(ManifestCodes.BinaryContent, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Crlf_file_has_no_diagnostics()
    {
        var (entries, diagnostics) = ReadBytes("[manifest]\r\n/a: b\r\n/c/**: d/**\r\n/e: ->f\r\n"u8.ToArray());

        Assert.Empty(diagnostics);
        Assert.Equal(["b", "d/**", "->f"], entries.Select(e => e.HostSpec));
    }

    [Fact]
    public void Unterminated_key_is_diagnosed()
    {
        var (entries, diagnostics) = Read("/a: %(libgcc_s_dir/x\n/b: c\n");

        Assert.Equal(ManifestCodes.UnterminatedFormatKey, Assert.Single(diagnostics).Code);
        Assert.Equal("/b", Assert.Single(entries).GuestPath);
    }

    private static ManifestReaderOptions FuzzOptions() => new()
    {
        BaseDirectory = Base,
        Definitions = Map(("d", "v"), ("libgcc_s_dir", "/gcc")),
        ModuleVariables = Map(("MODULE_DIR", "/apps/x")),
    };

    // Every diagnostic has a known code and a position; every entry has a valid normalised path or none.
    private static void AssertWellFormed(IReadOnlyList<ManifestEntry> entries, DiagnosticBag diagnostics)
    {
        foreach (Diagnostic diagnostic in diagnostics)
        {
            Assert.StartsWith("OSV00", diagnostic.Code, StringComparison.Ordinal);
            SourceLocation location = Assert.NotNull(diagnostic.Location);
            Assert.Equal(FileName, location.File);
            if (diagnostic.Code != ManifestCodes.TooManyDiagnostics)
            {
                Assert.True(location.Line >= 1, $"{diagnostic} has no line.");
                Assert.True(location.Column >= 1, $"{diagnostic} has no column.");
            }
        }

        foreach (ManifestEntry entry in entries)
        {
            Assert.True(entry.Location.Line >= 1);
            Assert.True(entry.Location.Column >= 1);
            if (entry.NormalizedGuestPath is { } path)
            {
                Assert.True(Osv.Plan.GuestPaths.TryNormalize(path, out string again, out _), $"'{path}' is invalid.");
                Assert.Equal(path, again);
            }
        }
    }
}
