using Microsoft.Build.Framework;

namespace Osv.Sdk.Tasks.Image;

public sealed partial class WriteOsvProjectFile
{
    /// <summary>The osv.yaml to write. Ex: <c>obj/Debug/osv.yaml</c>.</summary>
    [Required]
    public string OutputFile { get; set; } = string.Empty;

    /// <summary>The MSBuild project, named in the file's header and in errors. Ex: <c>$(MSBuildProjectFullPath)</c>.</summary>
    [Required]
    public string ProjectFile { get; set; } = string.Empty;

    /// <summary>The project name, which names the image file. Ex: <c>hello</c>.</summary>
    [Required]
    public string ProjectName { get; set; } = string.Empty;

    /// <summary>The folder the image and its side outputs go to. Ex: <c>bin/Debug/</c>.</summary>
    [Required]
    public string OutputDirectory { get; set; } = string.Empty;

    /// <summary>The kernel bundle folder or boot image, or empty for a kernel-less disk. Ex: <c>/opt/osv/kernels/v0.57.0</c>.</summary>
    public string KernelBundle { get; set; } = string.Empty;

    /// <summary><c>rofs</c>, <c>zfs</c> or <c>ramfs</c>, or empty for osv.yaml's default (rofs).</summary>
    public string FileSystem { get; set; } = string.Empty;

    /// <summary><c>raw</c>, <c>qcow2</c> or <c>vmdk</c>, or empty for osv.yaml's default (qcow2).</summary>
    public string ImageFormat { get; set; } = string.Empty;

    /// <summary>The virtual disk size, a byte count or a number with K, M, G or T. Ex: <c>1G</c>.</summary>
    public string ImageSize { get; set; } = string.Empty;

    /// <summary>The guest path of the program OSv runs, or empty for an image without a command. Ex: <c>/hello.so</c>.</summary>
    public string Program { get; set; } = string.Empty;

    /// <summary>The program's arguments as one string, split like a shell splits words. Ex: <c>--port 8080 "two words"</c>.</summary>
    public string Arguments { get; set; } = string.Empty;

    /// <summary>More arguments, one an item, each passed exactly as written, after <see cref="Arguments"/>.</summary>
    public ITaskItem[] ArgumentItems { get; set; } = [];

    /// <summary>Environment variables: the item spec is the name and the <c>Value</c> metadata the value.</summary>
    public ITaskItem[] Environment { get; set; } = [];

    /// <summary>The program's working directory, an absolute guest path. Ex: <c>/data</c>.</summary>
    public string WorkingDirectory { get; set; } = string.Empty;

    /// <summary>Kernel options placed first on the command line. Ex: <c>--verbose;--maxnic=1</c>.</summary>
    public string[] KernelOptions { get; set; } = [];

    /// <summary>
    /// Manifests to include, in order. Optional metadata: <c>Definitions</c> and <c>Variables</c>
    /// (<c>NAME=VALUE</c> pairs separated by semicolons) and <c>Base</c> (the folder relative host paths in
    /// the manifest are relative to).
    /// </summary>
    public ITaskItem[] Manifests { get; set; } = [];

    /// <summary>
    /// Host files to add; the <c>GuestPath</c> metadata is where each goes, <c>/FILENAME</c> when empty, and the
    /// optional <c>Origin</c> metadata names the setting that added the file in messages.
    /// </summary>
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>Empty guest directories to add. Ex: <c>/data</c>.</summary>
    public string[] Directories { get; set; } = [];

    /// <summary>Host folders searched for the shared libraries the image's objects need, in order.</summary>
    public string[] LibraryPaths { get; set; } = [];

    /// <summary><c>true</c> (the default when empty) to add missing shared libraries from the host, else <c>false</c>.</summary>
    public string AddMissingLibraries { get; set; } = string.Empty;

    /// <summary>Whether the last run changed the file; false when its content was already the same.</summary>
    [Output]
    public bool Changed { get; set; }
}
