namespace Osv.ImageBuilder.Kernel;

/// <summary>The stable diagnostic codes of kernel bundles (OSV50xx).</summary>
public static class KernelDiagnosticCodes
{
    /// <summary>The bundle folder or its osv-kernel.yaml does not exist.</summary>
    public const string BundleNotFound = "OSV5001";

    /// <summary>osv-kernel.yaml is not valid YAML or has an unknown key.</summary>
    public const string InvalidYaml = "OSV5002";

    /// <summary>A required value is missing or a value is out of range.</summary>
    public const string InvalidValue = "OSV5003";

    /// <summary>A file or folder the description names does not exist or lies outside the bundle.</summary>
    public const string MissingFile = "OSV5004";

    /// <summary>The boot image is not an OSv loader.img.</summary>
    public const string InvalidBootImage = "OSV5005";

    /// <summary>The OSv build folder given to the importer lacks a required output.</summary>
    public const string MissingBuildOutput = "OSV5006";

    /// <summary>The kernel ELF could not be read.</summary>
    public const string InvalidKernelElf = "OSV5007";

    /// <summary>Writing the bundle failed.</summary>
    public const string WriteFailed = "OSV5008";
}
