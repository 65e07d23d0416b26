namespace Osv.ImageBuilder.Build;

/// <summary>
/// The stable codes of the build pipeline's own findings (OSV60xx). The command-line tool uses
/// OSV6001 to OSV6009 for usage errors and OSV61xx and up for its other commands.
/// </summary>
public static class BuildDiagnosticCodes
{
    /// <summary>OSV6010 (error): the project or manifest file does not exist or is a folder without osv.yaml.</summary>
    public const string ProjectNotFound = "OSV6010";

    /// <summary>OSV6011 (error): neither the project nor the request gives a command line.</summary>
    public const string CommandLineMissing = "OSV6011";

    /// <summary>OSV6012 (error): the kernel cannot mount the requested filesystem as its root.</summary>
    public const string FileSystemNotSupported = "OSV6012";

    /// <summary>OSV6013 (error): the output folder cannot be created, or writing the image into it failed.</summary>
    public const string OutputNotWritable = "OSV6013";

    /// <summary>OSV6014 (error): the report, the SBOM or the dependency file could not be written; the image was removed.</summary>
    public const string SideOutputFailed = "OSV6014";

    /// <summary>OSV6015 (error): the build was cancelled; nothing was left in the output folder.</summary>
    public const string Cancelled = "OSV6015";

    /// <summary>OSV6016 (error): a host file could not be read while its checksum was computed.</summary>
    public const string HostFileUnreadable = "OSV6016";

    /// <summary>OSV6017 (error): the kernel's base files could not be added to the plan.</summary>
    public const string BaseFilesFailed = "OSV6017";

    /// <summary>OSV6018 (error): the image name or the format value is invalid.</summary>
    public const string InvalidSetting = "OSV6018";
}
