using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Image;

public sealed partial class CheckOsvImageInputs
{
    /// <summary>The image the inputs are compared with. Ex: <c>bin/Debug/hello.img</c>.</summary>
    [Required]
    public string ImageFile { get; set; } = string.Empty;

    /// <summary>
    /// The make-style dependency file the last image build wrote beside the image, which lists every host
    /// file and folder the image was built from (kernel bundle files, libraries added from the host).
    /// Ex: <c>bin/Debug/hello.img.d</c>.
    /// </summary>
    [Required]
    public string DependencyFile { get; set; } = string.Empty;

    /// <summary>Inputs known before the build: the linked file, the generated osv.yaml, the project file.</summary>
    public ITaskItem[] Inputs { get; set; } = [];

    /// <summary>The folder relative paths are relative to. Ex: <c>$(MSBuildProjectDirectory)</c>.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>True when the image exists and no input or listed folder is newer than it or gone.</summary>
    [Output]
    public bool IsUpToDate { get; set; }
}
