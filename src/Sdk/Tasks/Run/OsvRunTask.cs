using System.Globalization;
using System.Text.Json;
using Microsoft.Build.Framework;
using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;
using Osv.ImageBuilder.Run;
using Osv.Sdk.Tasks.Diagnostics;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Run;

/// <summary>
/// The settings both run tasks share, turned into <see cref="QemuRunOptions"/>: which image, which kernel
/// (the one on the disk, or an external kernel ELF for a kernel-less disk), memory, CPUs, ports and the
/// accelerator.
/// </summary>
public abstract class OsvRunTask : Microsoft.Build.Utilities.Task
{
    /// <summary>Creates the task with its message resources.</summary>
    protected OsvRunTask()
        : base(Strings.ResourceManager)
    {
    }

    /// <summary>The image to boot. Ex: <c>bin/Debug/hello.qcow2</c>.</summary>
    [Required]
    public string ImagePath { get; set; } = string.Empty;

    /// <summary>The image's container format, as qemu names it: <c>raw</c>, <c>qcow2</c> or <c>vmdk</c>.</summary>
    [Required]
    public string ImageFormat { get; set; } = string.Empty;

    /// <summary>The MSBuild project file, which errors point at. Ex: <c>$(MSBuildProjectFullPath)</c>.</summary>
    [Required]
    public string ProjectFile { get; set; } = string.Empty;

    /// <summary>
    /// The JSON report of the image build, whose <c>commandLine</c> an external kernel is booted with.
    /// Ex: <c>bin/Debug/hello.report.json</c>.
    /// </summary>
    public string ReportPath { get; set; } = string.Empty;

    /// <summary>The kernel bundle the image was built with, or empty for a kernel-less disk.</summary>
    public string KernelBundle { get; set; } = string.Empty;

    /// <summary>
    /// A kernel ELF (or a bundle folder that has one) to boot the disk with <c>qemu -kernel</c>, which a
    /// kernel-less disk needs. Ex: <c>/opt/osv/loader-stripped.elf</c>.
    /// </summary>
    public string Kernel { get; set; } = string.Empty;

    /// <summary>The guest memory in MiB. Ex: <c>1024</c>.</summary>
    public int MemoryMiB { get; set; } = 1024;

    /// <summary>The number of virtual CPUs. Ex: <c>2</c>.</summary>
    public int Cpus { get; set; } = 2;

    /// <summary>Ports of 127.0.0.1 forwarded to the guest, each <c>HOST:GUEST</c> with an optional <c>/udp</c>. Ex: <c>8080:80</c>.</summary>
    public string[] PortForwards { get; set; } = [];

    /// <summary><c>auto</c> (KVM when /dev/kvm can run a guest, else TCG), <c>kvm</c> or <c>tcg</c>.</summary>
    public string Accelerator { get; set; } = "auto";

    /// <summary>The qemu executable, looked up on PATH when it has no folder. Ex: <c>qemu-system-x86_64</c>.</summary>
    public string Qemu { get; set; } = "qemu-system-x86_64";

    /// <summary>Builds the qemu options, logging an error and returning null when a setting is invalid.</summary>
    private protected QemuRunOptions? CreateOptions()
    {
        string projectDirectory = Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!;
        string image = Path.GetFullPath(ImagePath, projectDirectory);
        if (!File.Exists(image))
        {
            return Fail<QemuRunOptions>(nameof(Strings.RunImageMissing), image);
        }

        var forwards = new List<PortForward>();
        foreach (string rule in PortForwards.Select(r => r.Trim()).Where(r => r.Length > 0))
        {
            if (!PortForward.TryParse(rule, out PortForward? forward, out string? error))
            {
                return Fail<QemuRunOptions>(nameof(Strings.InvalidPortForward), rule, error ?? string.Empty);
            }

            forwards.Add(forward!);
        }

        QemuAccelerator? accelerator = Accelerator.Trim().ToLowerInvariant() switch
        {
            "" or "auto" => QemuAccelerator.Auto,
            "kvm" => QemuAccelerator.Kvm,
            "tcg" => QemuAccelerator.Tcg,
            _ => null,
        };
        if (accelerator is null)
        {
            return Fail<QemuRunOptions>(nameof(Strings.InvalidAccelerator), Accelerator);
        }

        if (MemoryMiB <= 0 || Cpus <= 0)
        {
            return Fail<QemuRunOptions>(nameof(Strings.InvalidRunResources), MemoryMiB, Cpus);
        }

        if (!TryResolveKernel(projectDirectory, out string? kernel))
        {
            return null;
        }

        string? commandLine = null;
        if (kernel is not null)
        {
            commandLine = ReadReportCommandLine(Path.GetFullPath(ReportPath, projectDirectory));
            if (commandLine is null)
            {
                return Fail<QemuRunOptions>(nameof(Strings.RunCommandLineMissing), ReportPath);
            }
        }

        return new QemuRunOptions
        {
            ImagePath = image,
            KernelPath = kernel,
            CommandLine = commandLine,
            MemoryMiB = MemoryMiB,
            Cpus = Cpus,
            PortForwards = forwards,
            Accelerator = accelerator.Value,
            QemuPath = Qemu,
        };
    }

    // The kernel qemu boots with -kernel: OsvRunKernel, else the ELF of a bundle without a boot image,
    // else none because the disk carries the kernel. A disk built without any bundle has no kernel.
    private bool TryResolveKernel(string projectDirectory, out string? kernel)
    {
        kernel = null;
        string source = Kernel.Trim().Length > 0 ? Kernel.Trim() : KernelBundle.Trim();
        if (source.Length == 0)
        {
            Fail<object>(nameof(Strings.RunKernelMissing));
            return false;
        }

        string path = Path.GetFullPath(source, projectDirectory);
        if (File.Exists(path))
        {
            kernel = path;
            return true;
        }

        var diagnostics = new DiagnosticBag();
        KernelBundle? bundle = ImageBuilder.Kernel.KernelBundle.Load(path, diagnostics);
        new DiagnosticLogger(Log, ProjectFile).LogAll(diagnostics);
        if (bundle is null)
        {
            return false;
        }

        // An explicit OsvRunKernel folder always means its ELF; the project's bundle only when the disk has no kernel.
        bool external = Kernel.Trim().Length > 0 || bundle.BootImagePath is null;
        if (external && bundle.KernelElfPath is null)
        {
            Fail<object>(nameof(Strings.RunKernelMissing));
            return false;
        }

        kernel = external ? bundle.KernelElfPath : null;
        return true;
    }

    // The "commandLine" of the report the image build wrote beside the image.
    private static string? ReadReportCommandLine(string reportPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(reportPath));
            return document.RootElement.TryGetProperty("commandLine", out JsonElement value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private protected T? Fail<T>(string resource, params object[] arguments)
        where T : class
    {
        Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, resource, arguments);
        return null;
    }

    /// <summary>Formats a number for a message without the culture's separators.</summary>
    private protected static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
