using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.Plan;

namespace Osv.ImageBuilder.Kernel;

/// <summary>
/// One prebuilt OSv kernel, as described by a bundle folder's <c>osv-kernel.yaml</c>: the boot image and
/// kernel ELF, the base files that must go with it, its headers, what it provides to applications
/// (<see cref="Profile"/>) and what it can mount.
/// </summary>
public sealed class KernelBundle
{
    /// <summary>The name of the description file inside a bundle folder.</summary>
    public const string DescriptionFileName = "osv-kernel.yaml";

    private static readonly Lazy<KernelBundle> GenericBundle = new(KernelBundleLoader.LoadGeneric);

    internal KernelBundle()
    {
    }

    /// <summary>
    /// Gets the built-in profile of OSv x86-64 (master of late 2026) with no boot image, for kernel-less
    /// disks. It has the fields of a bundle's description and passes the same checks.
    /// </summary>
    public static KernelBundle Generic => GenericBundle.Value;

    /// <summary>Gets the bundle's name, for example <c>generic</c> or the imported build's version.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the absolute path of the bundle folder, or null for the built-in profile.</summary>
    public string? Folder { get; init; }

    /// <summary>Gets what the kernel accepts and provides, for the ELF analysis.</summary>
    public required KernelProfile Profile { get; init; }

    /// <summary>Gets the absolute path of loader.img, or null when the bundle has no boot image (kernel-less disks).</summary>
    public string? BootImagePath { get; init; }

    /// <summary>Gets the absolute path of the kernel ELF (loader-stripped.elf), when the bundle has one.</summary>
    public string? KernelElfPath { get; init; }

    /// <summary>Gets the offset in bytes of the command line inside the boot image, 512 on x86-64.</summary>
    public required long CommandLineOffset { get; init; }

    /// <summary>Gets the room for the command line in bytes, including its terminating NUL.</summary>
    public required long CommandLineMaxBytes { get; init; }

    /// <summary>Gets the filesystems the kernel can mount as its root.</summary>
    public required IReadOnlyList<FileSystemKind> FileSystems { get; init; }

    /// <summary>Gets the name of the ZFS pool the kernel imports, <c>osv</c>.</summary>
    public required string ZfsPool { get; init; }

    /// <summary>
    /// Gets the ZFS dataset the kernel mounts on <c>/</c>: <c>osv</c> for OSv of late 2026, <c>osv/zfs</c>
    /// for older releases.
    /// </summary>
    public required string ZfsRootDataset { get; init; }

    /// <summary>Gets the files, links and directories every image made with this kernel needs, in order.</summary>
    public required IReadOnlyList<KernelBaseFile> BaseFiles { get; init; }

    /// <summary>Gets the absolute paths of the header folders for compiling against OSv's APIs.</summary>
    public required IReadOnlyList<string> HeaderDirectories { get; init; }

    /// <summary>
    /// Reads and validates the bundle in <paramref name="folder"/>.
    /// </summary>
    /// <param name="folder">The bundle folder, which holds <c>osv-kernel.yaml</c>.</param>
    /// <param name="diagnostics">Receives OSV50xx errors that name the file, the line and the key.</param>
    /// <returns>The bundle, or null when errors were reported.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static KernelBundle? Load(string folder, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return KernelBundleLoader.Load(folder, diagnostics);
    }

    /// <summary>Returns the base files that go into an image of <paramref name="fileSystem"/>, in order.</summary>
    public IEnumerable<KernelBaseFile> BaseFilesFor(FileSystemKind fileSystem) => BaseFiles.Where(f => f.AppliesTo(fileSystem));

    /// <summary>
    /// Adds the base files for <paramref name="fileSystem"/> to <paramref name="plan"/>. Files whose text is in
    /// the description are written to <paramref name="scratchFolder"/> first, since a plan copies host files.
    /// </summary>
    /// <param name="plan">The plan to extend; entries already at a path are replaced, as a later manifest line would.</param>
    /// <param name="fileSystem">The filesystem of the image.</param>
    /// <param name="scratchFolder">A folder for the generated files; it is created when missing.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="IOException">Writing a generated file failed.</exception>
    /// <exception cref="InvalidOperationException">A base file's path is a directory in the plan, or the reverse.</exception>
    public void AddBaseFiles(ImagePlan plan, FileSystemKind fileSystem, string scratchFolder)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(scratchFolder);
        var origin = new SourceLocation(Folder is null ? "kernel profile 'generic'" : Path.Combine(Folder, DescriptionFileName));
        int generated = 0;
        foreach (KernelBaseFile file in BaseFilesFor(fileSystem))
        {
            switch (file.Kind)
            {
                case KernelBaseFileKind.Directory:
                    plan.AddDirectory(file.GuestPath, origin);
                    break;
                case KernelBaseFileKind.Symlink:
                    plan.AddSymlink(file.GuestPath, file.Source!, origin);
                    break;
                case KernelBaseFileKind.Content:
                    Directory.CreateDirectory(scratchFolder);
                    string path = Path.Combine(scratchFolder, $"{generated++:D3}-{Path.GetFileName(file.GuestPath)}");
                    File.WriteAllText(path, file.Source);
                    plan.AddFile(file.GuestPath, path, new FileInfo(path).Length, origin, reason: "base file of the kernel");
                    break;
                default:
                    plan.AddFile(file.GuestPath, file.Source!, new FileInfo(file.Source!).Length, origin, reason: "base file of the kernel");
                    break;
            }
        }
    }
}
