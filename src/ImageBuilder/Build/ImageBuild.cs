using System.Reflection;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.ImageBuilder.FileSystems.Rofs;
using Osv.ImageBuilder.FileSystems.Zfs;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Build;

/// <summary>
/// The whole build, shared by the <c>dotnet osv</c> tool and the MSBuild SDK: load the project,
/// expand the plan, add the kernel's base files, analyse every ELF file and add its DT_NEEDED
/// closure, write the filesystem, assemble the disk and write the container file, then write the
/// JSON report, the SPDX SBOM and the make-style dependency file.
/// </summary>
/// <remarks>
/// Problems with the project, the host files and the output folder become diagnostics rather than
/// exceptions. Every stage reports what it finds, and the build stops before writing when any stage
/// reported an error. The image is written to a temporary file and renamed
/// into place only when complete, and it is removed again when a side output fails, so a failed or
/// cancelled build leaves no image behind.
/// </remarks>
public static class ImageBuild
{
    /// <summary>Gets the tool name and version written into reports and SBOMs, for example <c>dotnet-osv 0.1.0</c>.</summary>
    public static string ToolName { get; } = "dotnet-osv " + (typeof(ImageBuild).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>Runs the build described by <paramref name="request"/>.</summary>
    /// <param name="request">What to build and where.</param>
    /// <returns>The diagnostics, the files written and the counts; never null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static ImageBuildResult Run(ImageBuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = new BuildSession(request);
        try
        {
            session.Execute();
        }
        catch (OperationCanceledException) when (request.CancellationToken.IsCancellationRequested)
        {
            session.Diagnostics.Error(BuildDiagnosticCodes.Cancelled, "The build was cancelled; no image was written.");
            session.RemoveOutputs();
        }
        finally
        {
            session.DeleteScratch();
        }

        return session.ToResult();
    }

    /// <summary>Returns the writer for <paramref name="kind"/>, set up for <paramref name="kernel"/>.</summary>
    /// <param name="kind">The filesystem to write.</param>
    /// <param name="kernel">The kernel; for ZFS its pool name and root dataset decide the pool's layout.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static IFileSystemWriter CreateWriter(FileSystemKind kind, KernelBundle kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return kind switch
        {
            FileSystemKind.Rofs => new RofsWriter(),
            FileSystemKind.Zfs => new ZfsWriter(new ZfsWriterOptions
            {
                PoolName = kernel.ZfsPool,
                DatasetLayout = kernel.ZfsRootDataset == kernel.ZfsPool ? ZfsDatasetLayout.RootDataset : ZfsDatasetLayout.ChildDataset,
            }),
            FileSystemKind.Ramfs => new BootfsWriter(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown filesystem."),
        };
    }

    /// <summary>Returns the file extension of an image in <paramref name="format"/>: <c>.img</c> for raw, else the format name.</summary>
    public static string ImageExtension(ContainerFormat format) => format switch
    {
        ContainerFormat.Qcow2 => ".qcow2",
        ContainerFormat.Vmdk => ".vmdk",
        _ => ".img",
    };
}
