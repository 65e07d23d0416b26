using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Image;

public sealed partial class ResolveOsvKernelBundle
{
    /// <summary>The kernel bundle folder made by <c>dotnet osv kernel import</c>. Ex: <c>/opt/osv/kernels/v0.57.0</c>.</summary>
    [Required]
    public string KernelBundle { get; set; } = string.Empty;

    /// <summary>The MSBuild project file, which errors about the bundle point at when they have no file of their own.</summary>
    [Required]
    public string ProjectFile { get; set; } = string.Empty;

    /// <summary>The bundle's header folders, for <c>-isystem</c> when the project compiles against OSv's APIs.</summary>
    [Output]
    public ITaskItem[] HeaderDirectories { get; set; } = [];

    /// <summary>The kernel ELF, which boots a kernel-less disk with <c>qemu -kernel</c>; empty when the bundle has none.</summary>
    [Output]
    public string KernelElf { get; set; } = string.Empty;

    /// <summary>The boot image (loader.img); empty when the bundle has none.</summary>
    [Output]
    public string BootImage { get; set; } = string.Empty;
}
