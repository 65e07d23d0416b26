using System.Text;
using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.Manifests.Parse;

/// <summary>
/// Parses the lines of one manifest in order: module composition, comment detection, the split at
/// <c>": "</c>, <c>%</c> formatting, the <c>/**</c> and <c>/&amp;/</c> forms, and the checks of each entry.
/// </summary>
internal sealed class ManifestLineParser
{
    /// <summary>The longest guest path a bootfs record holds: 111 bytes of name minus the terminating NUL (mkbootfs.py).</summary>
    public const int MaxBootfsNameBytes = 110;

    private const string Separator = ": ";
    private const string TreeSuffix = "/**";
    private const string ShorthandInfix = "/&/";
    private const string ShorthandHostSuffix = "/&";
    private const string SymlinkPrefix = "->";
    private const string NoFollowPrefix = "!";
    private const string StrippedSuffix = "-stripped.so";
    private const string SectionHeader = "[manifest]";

    private readonly ManifestReaderOptions _options;
    private readonly string _file;
    private readonly string _baseDirectory;
    private readonly DiagnosticSink _diagnostics;
    private readonly Dictionary<string, int> _firstLineByGuestPath = new(StringComparer.Ordinal);

    public ManifestLineParser(ManifestReaderOptions options, string file, string baseDirectory, DiagnosticSink diagnostics)
    {
        _options = options;
        _file = file;
        _baseDirectory = baseDirectory;
        _diagnostics = diagnostics;
    }

    /// <summary>Parses one line; returns null for blank lines, comments and lines that OSv would fail on.</summary>
    public ManifestEntry? Parse(ManifestLine line)
    {
        // module.py: rstrip, drop an exact "[manifest]", then expand ${...} and %(libgcc_s_dir)s.
        string text = line.Text;
        text = text[..PythonText.RightStripEnd(text, 0, text.Length)];
        if (text == SectionHeader)
        {
            return null;
        }

        var map = new ColumnMap();
        SourceLocation At(int index) => new(_file, line.Number, map.ToOriginal(index) + 1);
        string? composed = ModuleComposer.Compose(text, _options, map, At, _diagnostics);
        if (composed is null)
        {
            return null;
        }

        // read_manifest: rstrip again, skip blank, comment and [manifest] lines.
        composed = composed[..PythonText.RightStripEnd(composed, 0, composed.Length)];
        if (IsSkippedLine(composed))
        {
            return null;
        }

        // line.split(": ", 2): part 0 is the guest path, part 1 the host value, a part 2 is dropped.
        int separator = composed.IndexOf(Separator, StringComparison.Ordinal);
        if (separator < 0)
        {
            ReportMissingSeparator(composed, At);
            return null;
        }

        int hostEnd = composed.Length;
        int second = composed.IndexOf(Separator, separator + Separator.Length, StringComparison.Ordinal);
        if (second >= 0)
        {
            hostEnd = second;
            _diagnostics.Warning(ManifestCodes.ExtraSeparator,
                $"The line has a second ': ', and OSv's read_manifest keeps only the text before it as the host path, dropping '{ModuleComposer.Shorten(composed[second..])}'; rename the file so that its path has no ': ', or remove the extra text.",
                At(second));
        }

        (int guestStart, int guestEnd) = PythonText.Strip(composed, 0, separator);
        (int hostStart, int hostStop) = PythonText.Strip(composed, separator + Separator.Length, hostEnd);
        string guest = composed[guestStart..guestEnd];
        string hostWritten = composed[hostStart..hostStop];
        SourceLocation guestLocation = At(guestStart);
        SourceLocation hostLocation = At(hostStart);

        // mkbootfs.py and gen-rofs-img.py: hostpath % defines.
        string? host = PercentFormatter.Format(hostWritten, _options.Definitions, out FormatError? formatError);
        if (formatError is { } error)
        {
            _diagnostics.Error(error.Code, error.Message, At(hostStart + error.Index));
            return null;
        }

        return BuildEntry(guest, host!, guestLocation, hostLocation, line.Number);
    }

    // The comment pattern of read_manifest: ^[ \t]*(|#.*|\[manifest])$
    private static bool IsSkippedLine(string text)
    {
        int i = 0;
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        ReadOnlySpan<char> rest = text.AsSpan(i);
        return rest.IsEmpty || rest[0] == '#' || rest.SequenceEqual(SectionHeader);
    }

    private void ReportMissingSeparator(string composed, Func<int, SourceLocation> at)
    {
        int colon = composed.IndexOf(':', StringComparison.Ordinal);
        int column = colon;
        if (column < 0)
        {
            column = 0;
            while (column < composed.Length && PythonText.IsWhiteSpace(composed[column]))
            {
                column++;
            }
        }

        string message = colon >= 0
            ? "The line has no ': ' between guest path and host path (a ':' must be followed by a space), so OSv's read_manifest fails on it; write 'GUEST: HOST'."
            : "The line has no ': ' between guest path and host path, so OSv's read_manifest fails on it; write 'GUEST: HOST', or start the line with '#' to make it a comment.";
        _diagnostics.Error(ManifestCodes.MissingSeparator, message, at(column));
    }

    // Applies expand()'s forms and the host markers, then checks the entry.
    private ManifestEntry? BuildEntry(string guest, string host, SourceLocation guestLocation, SourceLocation hostLocation, int lineNumber)
    {
        ManifestEntryKind kind;
        bool isTree = guest.EndsWith(TreeSuffix, StringComparison.Ordinal) && host.EndsWith(TreeSuffix, StringComparison.Ordinal);
        if (isTree)
        {
            if (host.StartsWith(SymlinkPrefix, StringComparison.Ordinal) || host.StartsWith(NoFollowPrefix, StringComparison.Ordinal))
            {
                _diagnostics.Error(ManifestCodes.MarkerOnTree,
                    $"The host value '{ModuleComposer.Shorten(host)}' combines '{(host[0] == '!' ? NoFollowPrefix : SymlinkPrefix)}' with a '/**' tree, and OSv then walks a directory of that literal name and copies nothing; remove the marker or the '/**'.",
                    hostLocation);
                return null;
            }

            kind = ManifestEntryKind.HostTree;
        }
        else
        {
            int infix = guest.IndexOf(ShorthandInfix, StringComparison.Ordinal);
            bool hostShorthand = host.EndsWith(ShorthandHostSuffix, StringComparison.Ordinal);
            if (infix >= 0 && hostShorthand)
            {
                // PREFIX/&/SUFFIX: HOSTDIR/& is PREFIX/SUFFIX: HOSTDIR/SUFFIX.
                string suffix = guest[(infix + ShorthandInfix.Length)..];
                guest = guest[..infix] + "/" + suffix;
                host = host[..^1] + suffix;
            }
            else
            {
                ReportOneSidedShorthand(guest, host, infix >= 0, hostShorthand, guestLocation, hostLocation);
            }

            kind = host.StartsWith(SymlinkPrefix, StringComparison.Ordinal) ? ManifestEntryKind.Symlink
                : host.StartsWith(NoFollowPrefix, StringComparison.Ordinal) ? ManifestEntryKind.HostPathNoFollow
                : ManifestEntryKind.HostPath;
        }

        string? normalized = NormalizeGuestPath(guest, isTree, guestLocation);
        if (!CheckHost(host, kind, hostLocation))
        {
            return null;
        }

        if (normalized is not null)
        {
            CheckDuplicate(normalized + (isTree ? TreeSuffix : string.Empty), guestLocation, lineNumber);
        }

        if (!isTree)
        {
            CheckNameLength(guest, guestLocation);
        }

        CheckStripped(guest, host, kind, guestLocation);

        string? hostPath = kind switch
        {
            ManifestEntryKind.HostPath => ToHostPath(host),
            ManifestEntryKind.HostPathNoFollow => ToHostPath(host[NoFollowPrefix.Length..]),
            ManifestEntryKind.HostTree => ToHostPath(host.Length == TreeSuffix.Length ? "/" : host[..^TreeSuffix.Length]),
            _ => null,
        };

        return new ManifestEntry
        {
            GuestPath = guest,
            NormalizedGuestPath = normalized,
            HostSpec = host,
            Kind = kind,
            HostPath = hostPath,
            LinkTarget = kind == ManifestEntryKind.Symlink ? host[SymlinkPrefix.Length..] : null,
            Location = guestLocation,
            HostLocation = hostLocation,
        };
    }

    private void ReportOneSidedShorthand(string guest, string host, bool guestInfix, bool hostShorthand, SourceLocation guestLocation, SourceLocation hostLocation)
    {
        bool guestTree = guest.EndsWith(TreeSuffix, StringComparison.Ordinal);
        bool hostTree = host.EndsWith(TreeSuffix, StringComparison.Ordinal);
        if (guestTree != hostTree)
        {
            _diagnostics.Warning(ManifestCodes.OneSidedShorthand,
                $"Only the {(guestTree ? "guest" : "host")} path ends in '/**', so OSv copies no tree and takes the path literally; end both paths in '/**' to copy a tree.",
                guestTree ? guestLocation : hostLocation);
        }

        if (guestInfix != hostShorthand)
        {
            _diagnostics.Warning(ManifestCodes.OneSidedShorthand,
                guestInfix
                    ? "The guest path contains '/&/' but the host path does not end in '/&', so OSv takes the guest path literally; end the host path in '/&' or write the full path."
                    : "The host path ends in '/&' but the guest path has no '/&/', so OSv takes the host path literally; write 'PREFIX/&/SUFFIX: HOSTDIR/&' or the full path.",
                guestInfix ? guestLocation : hostLocation);
        }
    }

    // Validates the guest path; returns the normalised path, or null after reporting why it is invalid.
    private string? NormalizeGuestPath(string guest, bool isTree, SourceLocation location)
    {
        string path = isTree ? guest[..^TreeSuffix.Length] : guest;
        if (isTree && path.Length == 0)
        {
            path = "/";
        }

        if (path.Length == 0)
        {
            _diagnostics.Error(ManifestCodes.InvalidGuestPath,
                "The guest path is empty; write an absolute guest path before the ': ', such as /app/hello.so.", location);
            return null;
        }

        if (path[0] != '/')
        {
            _diagnostics.Warning(ManifestCodes.RelativeGuestPath,
                $"The guest path '{ModuleComposer.Shorten(guest)}' is relative: bootfs puts it under '/', but OSv's gen-rofs-img.py leaves it out of a ROFS image; start it with '/'.",
                location);
            path = "/" + path;
        }

        if (!GuestPaths.TryNormalize(path, out string normalized, out string? reason))
        {
            // The reason quotes the path; a megabyte-long path is shortened so the message stays readable.
            string message = (reason ?? "The guest path is invalid.").Replace(path, ModuleComposer.Shorten(path), StringComparison.Ordinal);
            _diagnostics.Error(ManifestCodes.InvalidGuestPath, message, location);
            return null;
        }

        return normalized;
    }

    private bool CheckHost(string host, ManifestEntryKind kind, SourceLocation location)
    {
        string message = kind switch
        {
            ManifestEntryKind.Symlink when host.Length == SymlinkPrefix.Length =>
                "The symbolic link '->' has no target; write the target after '->', such as ->/proc/mounts.",
            ManifestEntryKind.HostPathNoFollow when host.Length == NoFollowPrefix.Length =>
                "The host path after '!' is empty; write the host path after the '!'.",
            _ when host.Length == 0 => "The host path is empty; write the host file or directory after ': '.",
            _ => string.Empty,
        };

        if (message.Length == 0)
        {
            return true;
        }

        _diagnostics.Error(ManifestCodes.EmptyHostPath, message, location);
        return false;
    }

    private void CheckDuplicate(string key, SourceLocation location, int lineNumber)
    {
        if (_firstLineByGuestPath.TryGetValue(key, out int firstLine))
        {
            _diagnostics.Warning(ManifestCodes.DuplicateGuestPath,
                $"The guest path '{ModuleComposer.Shorten(key)}' is already listed at line {firstLine}; this later entry replaces it on ROFS and ZFS, while bootfs writes both. Remove one of the two lines.",
                location);
            return;
        }

        _firstLineByGuestPath.Add(key, lineNumber);
    }

    private void CheckNameLength(string guest, SourceLocation location)
    {
        if (_options.Target is ManifestTarget.Rofs or ManifestTarget.Zfs)
        {
            return;
        }

        int bytes = Encoding.UTF8.GetByteCount(guest);
        if (bytes <= MaxBootfsNameBytes)
        {
            return;
        }

        DiagnosticSeverity severity = _options.Target == ManifestTarget.Bootfs ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
        _diagnostics.Add(ManifestCodes.NameTooLong, severity,
            $"The guest path is {bytes} bytes long in UTF-8, more than the {MaxBootfsNameBytes} bytes a bootfs (ramfs) record holds, and OSv's mkbootfs.py would cut it silently; shorten the path or use ROFS or ZFS.",
            location);
    }

    private void CheckStripped(string guest, string host, ManifestEntryKind kind, SourceLocation location)
    {
        bool guestStripped = IsStrippedByGuest(_options.Target, guest);
        bool hostStripped = IsStrippedByHost(_options.Target, host, kind);
        if (!guestStripped && !hostStripped)
        {
            return;
        }

        _diagnostics.Warning(ManifestCodes.StrippedEntry,
            $"The {(guestStripped ? "guest" : "host")} path ends in '{StrippedSuffix}', and OSv's image scripts skip such entries (mkbootfs.py by guest path, gen-rofs-img.py by host path), so this entry is left out; name the unstripped .so instead.",
            location);
    }

    /// <summary>
    /// Returns whether OSv skips the entry for its <c>-stripped.so</c> name: mkbootfs.py (bootfs) checks the
    /// guest path, gen-rofs-img.py and upload_manifest.py (ROFS, ZFS) check the host path of a non-link
    /// entry. When the target is not known, either check applies.
    /// </summary>
    public static bool IsSkippedAsStripped(ManifestTarget target, string guest, string host, ManifestEntryKind kind) =>
        IsStrippedByGuest(target, guest) || IsStrippedByHost(target, host, kind);

    private static bool IsStrippedByGuest(ManifestTarget target, string guest) =>
        target is ManifestTarget.Any or ManifestTarget.Bootfs && guest.EndsWith(StrippedSuffix, StringComparison.Ordinal);

    private static bool IsStrippedByHost(ManifestTarget target, string host, ManifestEntryKind kind) =>
        target is not ManifestTarget.Bootfs && kind != ManifestEntryKind.Symlink && host.EndsWith(StrippedSuffix, StringComparison.Ordinal);

    // Joins a relative host path to the base directory; POSIX paths only, as OSv's build runs on Linux.
    private string ToHostPath(string path) =>
        path.StartsWith('/') ? path : _baseDirectory.TrimEnd('/') + "/" + path;
}
