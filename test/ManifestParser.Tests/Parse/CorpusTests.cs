using Osv.Diagnostics;
using Osv.ManifestParser.Tests.Support;
using Osv.Manifests.Parse;

namespace Osv.ManifestParser.Tests.Parse;

/// <summary>
/// Checks every real OSv manifest of the shared corpus against the parse OSv's own scripts gave it. The
/// corpus lives beside the repository and is read in place; every file added there is checked.
/// </summary>
public class CorpusTests
{
    private const string LibgccDirectory = "/usr/lib/gcc/x86_64-linux-gnu/12";

    // Python's failure messages in .expected files and the code this reader reports for them.
    private static readonly (string Fragment, string Code)[] s_errorCodes =
    [
        ("Undefined variable", ManifestCodes.UndefinedVariable),
        ("list index out of range", ManifestCodes.MissingSeparator),
        ("incomplete format key", ManifestCodes.UnterminatedFormatKey),
        ("KeyError", ManifestCodes.UndefinedDefinition),
        ("format", ManifestCodes.InvalidFormat),
        ("codec can't decode", ManifestCodes.InvalidUtf8),
    ];

    public static IEnumerable<TheoryDataRow<string>> ManifestFiles()
    {
        string? corpus = RepositoryPaths.FindCorpus();
        if (corpus is null)
        {
            return [new TheoryDataRow<string>(string.Empty)];
        }

        string manifests = Path.Combine(corpus, "manifests");
        return Directory.EnumerateFiles(manifests, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(manifests, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Select(relative => new TheoryDataRow<string>(relative))
            .ToList();
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void Corpus_manifest_matches_osv(string relativePath)
    {
        string corpus = RequireCorpus();
        string manifest = Path.Combine(corpus, "manifests", relativePath);
        string expectedFile = Path.Combine(corpus, "expected", relativePath + ".expected");
        Assert.True(File.Exists(expectedFile), $"The corpus has no expected parse for {relativePath}.");

        var diagnostics = new DiagnosticBag();
        IReadOnlyList<ManifestEntry> entries = new ManifestReader(OptionsFor(relativePath)).ReadFile(manifest, diagnostics);

        string[] expected = File.ReadAllLines(expectedFile).Where(line => line.Length > 0).ToArray();
        if (expected.Length == 1 && expected[0].StartsWith("error\t", StringComparison.Ordinal))
        {
            string message = expected[0]["error\t".Length..];
            string code = s_errorCodes.FirstOrDefault(pair => message.Contains(pair.Fragment, StringComparison.Ordinal)).Code
                ?? throw new InvalidOperationException($"The corpus error '{message}' of {relativePath} has no matching code in this test.");
            Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Code == code);
            return;
        }

        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(expected, entries.Select(entry => entry.GuestPath + "\t" + entry.HostSpec));
    }

    [Fact]
    public void Corpus_expected_files_have_manifests()
    {
        string corpus = RequireCorpus();
        string expectedRoot = Path.Combine(corpus, "expected");

        string[] orphans = Directory.EnumerateFiles(expectedRoot, "*.expected", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(expectedRoot, path)[..^".expected".Length])
            .Where(relative => !File.Exists(Path.Combine(corpus, "manifests", relative)))
            .ToArray();

        Assert.Empty(orphans);
    }

    // The corpus README: top-level osv/*.skel files are read without module variables; every other
    // manifest gets MODULE_DIR=/apps/<folder above it> and OSV_BASE=/osv.
    private static ManifestReaderOptions OptionsFor(string relativePath)
    {
        string[] parts = relativePath.Split('/');
        bool topLevelSkeleton = parts.Length == 2 && parts[0] == "osv";
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!topLevelSkeleton)
        {
            variables["MODULE_DIR"] = "/apps/" + parts[^2];
            variables["OSV_BASE"] = "/osv";
        }

        return new ManifestReaderOptions
        {
            BaseDirectory = "/osv/build/release",
            ModuleVariables = variables,
            Definitions = new Dictionary<string, string>(StringComparer.Ordinal) { ["libgcc_s_dir"] = LibgccDirectory },
        };
    }

    private static string RequireCorpus()
    {
        string? corpus = RepositoryPaths.FindCorpus();
        if (corpus is null)
        {
            Assert.Skip("The corpus folder shared/corpus beside the repository does not exist, so the real OSv manifests cannot be checked.");
        }

        return corpus;
    }
}
