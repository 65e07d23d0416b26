using Microsoft.Build.Utilities;
using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;
using Osv.Sdk.Tasks.Diagnostics;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Image;

/// <summary>
/// Reads a kernel bundle's <c>osv-kernel.yaml</c> with the image builder's loader and returns the paths
/// the build needs before the image: the OSv API header folders and the kernel ELF.
/// </summary>
public sealed partial class ResolveOsvKernelBundle : Microsoft.Build.Utilities.Task
{
    /// <summary>Creates the task with its message resources.</summary>
    public ResolveOsvKernelBundle()
        : base(Strings.ResourceManager)
    {
    }

    /// <inheritdoc/>
    public override bool Execute()
    {
        var diagnostics = new DiagnosticBag();
        string folder = Path.GetFullPath(KernelBundle, Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!);
        KernelBundle? bundle = ImageBuilder.Kernel.KernelBundle.Load(folder, diagnostics);
        new DiagnosticLogger(Log, ProjectFile).LogAll(diagnostics);
        if (bundle is null)
        {
            return false;
        }

        HeaderDirectories = [.. bundle.HeaderDirectories.Select(d => new TaskItem(d))];
        KernelElf = bundle.KernelElfPath ?? string.Empty;
        BootImage = bundle.BootImagePath ?? string.Empty;
        return !Log.HasLoggedErrors;
    }
}
