namespace Osv.ImageBuilder.Analyse;

/// <summary>The analysis of one ELF file of the plan, as the build's JSON report shows it.</summary>
/// <param name="GuestPath">The guest path of the file.</param>
/// <param name="HostPath">The host file its content comes from.</param>
/// <param name="Kind">What the file is.</param>
/// <param name="Soname">DT_SONAME, or null.</param>
/// <param name="Needed">Each DT_NEEDED in order with how the guest loader resolves it.</param>
/// <param name="AddedReason">Why the analysis added the file to the plan (for example "DT_NEEDED of /app/server.so"); null for files the user listed.</param>
/// <param name="IsLoaded">Whether a program of the command line loads the file.</param>
public sealed record ElfObjectRecord(
    string GuestPath,
    string HostPath,
    ElfKind Kind,
    string? Soname,
    IReadOnlyList<NeededResolution> Needed,
    string? AddedReason,
    bool IsLoaded);
