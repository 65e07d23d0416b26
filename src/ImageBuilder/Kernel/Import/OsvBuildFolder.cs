using System.Text.RegularExpressions;
using Osv.Diagnostics;
using Osv.Manifests.Parse;

namespace Osv.ImageBuilder.Kernel.Import;

// The generated files of an OSv build folder that describe how the kernel was configured.
internal static partial class OsvBuildFolder
{
    // The guest path of libgcc_s in every usr manifest skeleton of OSv.
    public const string LibgccGuestPath = "/usr/lib/libgcc_s.so.1";

    // Reads OSV_VERSION from gen/include/osv/version.h, when the build has one.
    public static string? ReadVersion(string build)
    {
        string? text = ReadGenerated(build, "version.h");
        Match? match = text is null ? null : VersionPattern().Match(text);
        return match is { Success: true } ? match.Groups[1].Value : null;
    }

    // Reads CONF_hide_symbols (conf_hide_symbols of the Makefile) from the generated kernel_config header;
    // null when the build has no such header.
    public static bool? ReadHidesSymbols(string build)
    {
        string? text = ReadGenerated(build, "kernel_config_hide_symbols.h");
        Match? match = text is null ? null : HideSymbolsPattern().Match(text);
        return match is { Success: true } ? match.Groups[1].Value != "0" : null;
    }

    // Returns the folder of the libgcc_s.so.1 that scripts/build put into the build's usr.manifest.
    public static string? ReadLibgccDirectory(string build)
    {
        string manifest = Path.Combine(build, "usr.manifest");
        if (!File.Exists(manifest))
        {
            return null;
        }

        // module.py has already expanded the manifest, so it needs no definitions. Lines that fail to
        // parse, such as application lines with %(...)s of their own, do not matter here.
        var reader = new ManifestReader(new ManifestReaderOptions { BaseDirectory = build });
        ManifestEntry? entry = reader.ReadFile(manifest, new DiagnosticBag())
            .LastOrDefault(e => e.NormalizedGuestPath == LibgccGuestPath && e.HostPath is not null);
        return entry is null ? null : Path.GetDirectoryName(entry.HostPath);
    }

    // Reads a header of gen/include/osv, or returns null.
    private static string? ReadGenerated(string build, string name)
    {
        string path = Path.Combine(build, "gen", "include", "osv", name);
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex("#define\\s+OSV_VERSION\\s+\"([^\"]+)\"")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("#define\\s+CONF_hide_symbols\\s+(\\d+)")]
    private static partial Regex HideSymbolsPattern();
}
