namespace Osv.ImageBuilder.Kernel;

/// <summary>Settings of <see cref="KernelBundleImporter.Import(string, string, KernelImportOptions, Osv.Diagnostics.DiagnosticBag)"/>.</summary>
public sealed record KernelImportOptions
{
    /// <summary>
    /// Gets the OSv source tree the build was made from, for example <c>/src/osv</c>, or null for the folder
    /// two levels above the build folder (OSv builds into <c>SOURCE/build/MODE</c>). The importer reads the
    /// usr manifest skeletons, <c>static/etc</c> and the headers from it.
    /// </summary>
    public string? SourceDirectory { get; init; }

    /// <summary>
    /// Gets the folder of the <c>libgcc_s.so.1</c> that images get as <c>/usr/lib/libgcc_s.so.1</c>
    /// (the <c>libgcc_s_dir</c> definition of OSv's scripts/build), for example
    /// <c>/usr/lib/x86_64-linux-gnu</c>, or null to take it from the build's usr.manifest.
    /// </summary>
    public string? LibgccDirectory { get; init; }
}
