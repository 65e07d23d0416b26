using Osv.Diagnostics;
using Osv.Manifests.Parse;

namespace Osv.ManifestParser.Tests.Support;

/// <summary>Shortcuts for reading manifest text in tests.</summary>
internal static class Manifests
{
    public const string FileName = "test.manifest";
    public const string Base = "/build/release";

    public static (IReadOnlyList<ManifestEntry> Entries, DiagnosticBag Diagnostics) Read(string text, ManifestReaderOptions? options = null)
    {
        var diagnostics = new DiagnosticBag();
        var reader = new ManifestReader(options ?? new ManifestReaderOptions { BaseDirectory = Base });
        return (reader.ReadText(text, FileName, diagnostics), diagnostics);
    }

    public static (IReadOnlyList<ManifestEntry> Entries, DiagnosticBag Diagnostics) ReadBytes(byte[] bytes, ManifestReaderOptions? options = null)
    {
        var diagnostics = new DiagnosticBag();
        var reader = new ManifestReader(options ?? new ManifestReaderOptions { BaseDirectory = Base });
        return (reader.ReadBytes(bytes, FileName, diagnostics), diagnostics);
    }

    public static Dictionary<string, string> Map(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
}
