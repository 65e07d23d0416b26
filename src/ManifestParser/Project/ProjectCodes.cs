namespace Osv.Manifests.Project;

/// <summary>Diagnostic codes of osv.yaml projects (OSV1001-OSV1099); docs/osv-yaml.md explains each.</summary>
public static class ProjectCodes
{
    /// <summary>Error: the file is not valid YAML (syntax error, duplicate key).</summary>
    public const string InvalidYaml = "OSV1001";

    /// <summary>Error: a key osv.yaml does not define; the message suggests the closest known key.</summary>
    public const string UnknownKey = "OSV1002";

    /// <summary>Error: a value of the wrong type, for example a list where a string belongs.</summary>
    public const string WrongType = "OSV1003";

    /// <summary>Error: a value outside its set, for example <c>filesystem: ext4</c>.</summary>
    public const string InvalidEnumValue = "OSV1004";

    /// <summary>Error: an image size that is not a positive multiple of 512 bytes, such as <c>512M</c>.</summary>
    public const string InvalidSize = "OSV1005";

    /// <summary>Error: a required value is missing, for example <c>command.program</c>.</summary>
    public const string MissingValue = "OSV1006";

    /// <summary>Error: an invalid guest path in <c>files</c>, <c>directories</c> or <c>command</c>.</summary>
    public const string InvalidGuestPath = "OSV1007";

    /// <summary>Error: the project file cannot be read.</summary>
    public const string UnreadableProject = "OSV1008";

    /// <summary>Error: the file has no document, more than one, or its top level is not a mapping.</summary>
    public const string InvalidDocument = "OSV1009";

    /// <summary>Error: a manifest or host file named in osv.yaml does not exist.</summary>
    public const string FileNotFound = "OSV1010";

    /// <summary>Error: a command-line value that OSv's command-line parser cannot carry.</summary>
    public const string UnrepresentableCommandLine = "OSV1011";

    /// <summary>Information: OSv replaces <c>$NAME</c> in program arguments with the environment variable's value.</summary>
    public const string EnvironmentReference = "OSV1012";

    /// <summary>Error: an invalid environment variable name or kernel option.</summary>
    public const string InvalidOption = "OSV1013";
}
