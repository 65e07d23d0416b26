using Osv.Diagnostics;

namespace Osv.ImageBuilder.Build;

/// <summary>The whole build, from a project file to an image and its side outputs.</summary>
public static class ImageBuild
{
    /// <summary>Runs the build described by <paramref name="request"/>.</summary>
    public static ImageBuildResult Run(ImageBuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var diagnostics = new DiagnosticBag();
        diagnostics.Error("OSV6000", "The build pipeline is not wired to the writers yet.");
        return new ImageBuildResult { Diagnostics = diagnostics.ToList() };
    }
}
