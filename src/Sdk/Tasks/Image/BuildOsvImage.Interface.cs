using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Image;

public sealed partial class BuildOsvImage
{
    /// <summary>The generated osv.yaml that describes the image. Ex: <c>obj/Debug/osv.yaml</c>.</summary>
    [Required]
    public string OsvProjectFile { get; set; } = string.Empty;

    /// <summary>
    /// The MSBuild project file, which findings in the generated osv.yaml are moved to.
    /// Ex: <c>$(MSBuildProjectFullPath)</c>.
    /// </summary>
    [Required]
    public string ProjectFile { get; set; } = string.Empty;

    /// <summary>
    /// The shared object or executable the project linked, or empty; findings located in it are shown at the
    /// project file. Ex: <c>bin/Debug/hello.so</c>.
    /// </summary>
    public string LinkedFile { get; set; } = string.Empty;

    /// <summary>The folder that receives the image and its side outputs. Ex: <c>bin/Debug/</c>.</summary>
    [Required]
    public string OutputDirectory { get; set; } = string.Empty;

    /// <summary>The image file name without extension. Ex: <c>hello</c>.</summary>
    [Required]
    public string ImageName { get; set; } = string.Empty;

    /// <summary>
    /// The image path the targets compare with the inputs on the next build. A build that writes the image
    /// elsewhere gets a warning, because the next build could not tell that the image is up to date.
    /// Ex: <c>bin/Debug/hello.qcow2</c>.
    /// </summary>
    public string ExpectedImagePath { get; set; } = string.Empty;

    /// <summary>The dependency file the targets read on the next build. Ex: <c>bin/Debug/hello.d</c>.</summary>
    public string ExpectedDependencyFile { get; set; } = string.Empty;

    /// <summary>
    /// The time stored in the image and the SBOM, in seconds since the Unix epoch, so the same inputs give
    /// the same bytes. Ex: <c>$(SOURCE_DATE_EPOCH)</c>, or <c>0</c>.
    /// </summary>
    public string SourceDateEpoch { get; set; } = "0";

    /// <summary>Whether to write the JSON report beside the image.</summary>
    public bool WriteReport { get; set; } = true;

    /// <summary>Whether to write the SPDX SBOM beside the image; off unless OsvGenerateSbom is true.</summary>
    public bool WriteSbom { get; set; }

    /// <summary>The image written.</summary>
    [Output]
    public string ImagePath { get; set; } = string.Empty;

    /// <summary>The JSON report written, or empty.</summary>
    [Output]
    public string ReportPath { get; set; } = string.Empty;

    /// <summary>The SPDX SBOM written, or empty.</summary>
    [Output]
    public string SbomPath { get; set; } = string.Empty;

    /// <summary>The make-style dependency file written, which the next build reads to decide whether the image is up to date.</summary>
    [Output]
    public string DependencyFilePath { get; set; } = string.Empty;
}
