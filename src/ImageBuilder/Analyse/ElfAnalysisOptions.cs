namespace Osv.ImageBuilder.Analyse;

/// <summary>Settings of <see cref="ElfAnalyzer.Analyze"/>.</summary>
public sealed record ElfAnalysisOptions
{
    /// <summary>
    /// Gets whether libraries that a DT_NEEDED names and the image lacks are searched on the host and
    /// added to the plan at <c>/usr/lib/&lt;name&gt;</c>. When false, they are only reported. Default true.
    /// </summary>
    public bool AddMissingLibraries { get; init; } = true;

    /// <summary>
    /// Gets the host folder that is used as <c>/</c> when libraries are searched, for example a Debian
    /// tree made by debootstrap; null for the host's own root. Absolute symbolic links inside it are
    /// resolved inside it.
    /// </summary>
    public string? Sysroot { get; init; }

    /// <summary>
    /// Gets extra host folders searched after DT_RPATH and before DT_RUNPATH, as LD_LIBRARY_PATH is;
    /// they are host paths and are not prefixed with <see cref="Sysroot"/>.
    /// </summary>
    public IReadOnlyList<string> LibraryPaths { get; init; } = [];

    /// <summary>
    /// Gets the default folders searched last, relative to the sysroot; null to use glibc's defaults for
    /// the object's machine, for example <c>/lib/x86_64-linux-gnu</c>, <c>/usr/lib/x86_64-linux-gnu</c>,
    /// <c>/lib</c> and <c>/usr/lib</c> on x86-64.
    /// </summary>
    public IReadOnlyList<string>? DefaultLibraryPaths { get; init; }

    /// <summary>
    /// Gets whether the folders listed by the sysroot's <c>/etc/ld.so.conf</c> (with its <c>include</c>
    /// lines) are searched before the default folders, as glibc's cache makes them. Default true.
    /// </summary>
    public bool UseLdSoConf { get; init; } = true;

    /// <summary>Gets the guest folder that libraries found on the host are added to. Default <c>/usr/lib</c>.</summary>
    public string GuestLibraryDirectory { get; init; } = "/usr/lib";

    /// <summary>Gets the guest working directory a relative DT_NEEDED path or search folder is taken from, as OSv's <c>--cwd</c> sets it. Default <c>/</c>.</summary>
    public string GuestWorkingDirectory { get; init; } = "/";
}
