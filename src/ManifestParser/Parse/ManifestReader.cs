using Osv.Diagnostics;

namespace Osv.Manifests.Parse;

/// <summary>
/// Reads OSv manifests (bootfs.manifest, usr.manifest and module manifests) into <see cref="ManifestEntry"/>
/// records with the semantics of OSv's scripts/module.py and scripts/manifest_common.py, and reports every
/// problem as a diagnostic with file, line and column.
/// </summary>
/// <remarks>
/// The reader throws only for null arguments. Binary data, invalid UTF-8, malformed lines and unknown
/// names become diagnostics, and the lines that can be read still give entries; seeded fuzz tests drive
/// it with random bytes to hold it to that. Reading does not touch the
/// host beyond the manifest file itself; <see cref="Expand.PlanExpander"/> resolves host paths.
/// </remarks>
public sealed class ManifestReader
{
    /// <summary>The largest manifest file read, in bytes; real manifests are a few kilobytes.</summary>
    public const long MaxFileSize = 256L * 1024 * 1024;

    /// <summary>Creates a reader with the given definitions, module variables and base directory.</summary>
    /// <param name="options">The options, or null for none: no definitions, no module variables.</param>
    public ManifestReader(ManifestReaderOptions? options = null)
    {
        Options = options ?? new ManifestReaderOptions();
    }

    /// <summary>Gets the options the reader applies.</summary>
    public ManifestReaderOptions Options { get; }

    /// <summary>Reads the manifest file at <paramref name="path"/>.</summary>
    /// <param name="path">The manifest file; diagnostics name it as given.</param>
    /// <param name="diagnostics">Receives the diagnostics, including OSV0019 when the file cannot be read.</param>
    /// <returns>The entries of the lines that could be read, in file order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="diagnostics"/> is null.</exception>
    public IReadOnlyList<ManifestEntry> ReadFile(string path, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);

        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileSize)
            {
                diagnostics.Error(ManifestCodes.UnreadableFile,
                    $"The manifest is {info.Length} bytes long, more than the {MaxFileSize} bytes a manifest may have; check that the path names a manifest.",
                    new SourceLocation(path));
                return [];
            }

            content = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            diagnostics.Error(ManifestCodes.UnreadableFile,
                $"The manifest '{path}' cannot be read: {exception.Message} Check the path and its permissions.",
                new SourceLocation(path));
            return [];
        }

        string baseDirectory = Options.BaseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? Environment.CurrentDirectory;
        return ReadBytes(content, path, diagnostics, baseDirectory);
    }

    /// <summary>Reads manifest bytes, as they would be stored in a file.</summary>
    /// <param name="content">The bytes, expected to be UTF-8.</param>
    /// <param name="fileName">The name diagnostics and locations give the manifest.</param>
    /// <param name="diagnostics">Receives the diagnostics.</param>
    /// <returns>The entries of the lines that could be read, in file order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fileName"/> or <paramref name="diagnostics"/> is null.</exception>
    public IReadOnlyList<ManifestEntry> ReadBytes(ReadOnlySpan<byte> content, string fileName, DiagnosticBag diagnostics) =>
        ReadBytes(content, fileName, diagnostics, Options.BaseDirectory ?? Environment.CurrentDirectory);

    /// <summary>Reads manifest text.</summary>
    /// <param name="text">The manifest text.</param>
    /// <param name="fileName">The name diagnostics and locations give the manifest.</param>
    /// <param name="diagnostics">Receives the diagnostics.</param>
    /// <returns>The entries of the lines that could be read, in file order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public IReadOnlyList<ManifestEntry> ReadText(string text, string fileName, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var sink = new DiagnosticSink(diagnostics, fileName);
        List<ManifestLine>? lines = ManifestSource.SplitText(text, fileName, sink);
        IReadOnlyList<ManifestEntry> entries = lines is null
            ? []
            : ParseLines(lines, fileName, Options.BaseDirectory ?? Environment.CurrentDirectory, sink);
        sink.Complete();
        return entries;
    }

    private IReadOnlyList<ManifestEntry> ReadBytes(ReadOnlySpan<byte> content, string fileName, DiagnosticBag diagnostics, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var sink = new DiagnosticSink(diagnostics, fileName);
        List<ManifestLine>? lines = ManifestSource.SplitBytes(content, fileName, sink);
        IReadOnlyList<ManifestEntry> entries = lines is null ? [] : ParseLines(lines, fileName, baseDirectory, sink);
        sink.Complete();
        return entries;
    }

    private List<ManifestEntry> ParseLines(List<ManifestLine> lines, string fileName, string baseDirectory, DiagnosticSink sink)
    {
        var parser = new ManifestLineParser(Options, fileName, baseDirectory, sink);
        var entries = new List<ManifestEntry>();
        foreach (ManifestLine line in lines)
        {
            if (parser.Parse(line) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }
}
