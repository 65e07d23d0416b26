namespace Osv.ImageBuilder.Build.Reports;

/// <summary>
/// The JSON report of one build: what went into the image, where each entry came from and why, and
/// every diagnostic. It holds no wall-clock time, so the same inputs give the same report.
/// </summary>
public sealed record BuildReport
{
    /// <summary>Gets the version of the report's layout; it changes when a field changes meaning.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>Gets the tool and its version, for example <c>dotnet-osv 0.1.0</c>.</summary>
    public required string Tool { get; init; }

    /// <summary>Gets the project or manifest file the build read.</summary>
    public required string Project { get; init; }

    /// <summary>Gets the image file written, or null for a check or a failed build.</summary>
    public string? Image { get; init; }

    /// <summary>Gets the container format: raw, qcow2 or vmdk.</summary>
    public required string Format { get; init; }

    /// <summary>Gets the filesystem: rofs, zfs or ramfs.</summary>
    public required string FileSystem { get; init; }

    /// <summary>Gets the kernel bundle used, or null for a kernel-less disk.</summary>
    public string? Kernel { get; init; }

    /// <summary>Gets the OSv command line the image boots with.</summary>
    public required string CommandLine { get; init; }

    /// <summary>Gets the size of the image file in bytes, or 0 when none was written.</summary>
    public long ImageSize { get; init; }

    /// <summary>Gets the number of bytes of the filesystem partition, or 0 when none was written.</summary>
    public long PartitionSize { get; init; }

    /// <summary>Gets the sum of the sizes of all regular files in the image.</summary>
    public long ContentBytes { get; init; }

    /// <summary>Gets every guest entry, depth-first in image order; the root directory is not listed.</summary>
    public required IReadOnlyList<ReportEntry> Entries { get; init; }

    /// <summary>Gets every diagnostic of the build, in the order the stages reported them.</summary>
    public required IReadOnlyList<ReportDiagnostic> Diagnostics { get; init; }
}

/// <summary>One guest directory, file or symbolic link of a <see cref="BuildReport"/>.</summary>
public sealed record ReportEntry
{
    /// <summary>Gets the absolute guest path.</summary>
    public required string Path { get; init; }

    /// <summary>Gets <c>directory</c>, <c>file</c> or <c>symlink</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the file size in bytes; 0 for directories and links.</summary>
    public long Size { get; init; }

    /// <summary>Gets the SHA-256 of a file's content as lowercase hex, otherwise null.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Gets the host file or directory the entry was copied from, when there is one.</summary>
    public string? HostPath { get; init; }

    /// <summary>Gets the link target of a symbolic link, otherwise null.</summary>
    public string? Target { get; init; }

    /// <summary>Gets the manifest line or project item behind the entry as <c>file:line</c>, when known.</summary>
    public string? Origin { get; init; }

    /// <summary>Gets why the toolchain added the entry when no manifest line named it, for example the DT_NEEDED that required it.</summary>
    public string? AddedBecause { get; init; }

    /// <summary>Gets what the ELF analysis found for an ELF file, otherwise null.</summary>
    public ReportElf? Elf { get; init; }
}

/// <summary>The ELF facts of one guest file.</summary>
public sealed record ReportElf
{
    /// <summary>Gets the object kind, for example <c>shared-object</c>, <c>pie-executable</c> or <c>executable</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the soname (DT_SONAME), when the object has one.</summary>
    public string? Soname { get; init; }

    /// <summary>Gets each DT_NEEDED entry in file order with how it was resolved.</summary>
    public required IReadOnlyList<ReportNeeded> Needed { get; init; }
}

/// <summary>One DT_NEEDED entry and its resolution.</summary>
/// <param name="Name">The name as written in DT_NEEDED, for example <c>libevent-2.1.so.7</c>.</param>
/// <param name="Resolution">
/// How the guest loader finds it: <c>kernel</c> (the kernel provides the soname), <c>image</c> (a
/// file the manifest listed), <c>added</c> (copied from the host by the DT_NEEDED closure) or
/// <c>missing</c>.
/// </param>
/// <param name="GuestPath">The guest file that satisfies it, for <c>image</c> and <c>added</c>.</param>
/// <param name="HostPath">The host file it was copied from, for <c>added</c>.</param>
public sealed record ReportNeeded(string Name, string Resolution, string? GuestPath = null, string? HostPath = null);

/// <summary>A diagnostic as the report stores it.</summary>
/// <param name="Code">The stable code, for example <c>OSV2001</c>.</param>
/// <param name="Severity"><c>error</c>, <c>warning</c> or <c>info</c>.</param>
/// <param name="Message">The message.</param>
/// <param name="Location">The location as <c>file:line:column</c>, when there is one.</param>
/// <param name="Chain">The objects or entries that led to the finding, outermost first.</param>
public sealed record ReportDiagnostic(string Code, string Severity, string Message, string? Location, IReadOnlyList<string> Chain);
