using System.Diagnostics;
using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;
using Osv.ImageBuilder.Assemble;
using Osv.ImageBuilder.Build.Reports;
using Osv.ImageBuilder.Containers;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.Kernel;
using Osv.Plan;

namespace Osv.ImageBuilder.Build;

/// <summary>The state of one <see cref="ImageBuild.Run"/>: the stages in order and what each produced.</summary>
internal sealed class BuildSession
{
    private readonly ImageBuildRequest _request;
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly List<(BuildStage, TimeSpan)> _stageTimes = [];
    private readonly List<string> _written = [];

    private ProjectInput? _project;
    private KernelBundle? _kernel;
    private FileSystemKind _fileSystem;
    private ContainerFormat _format;
    private string _commandLine = string.Empty;
    private ElfAnalysisResult? _analysis;
    private AssembledDisk? _disk;
    private string? _scratch;
    private string? _imagePath;
    private string? _reportPath;
    private string? _sbomPath;
    private string? _dependencyPath;
    private BuildReport? _report;
    private DigestWorker? _digests;
    private string? _createdOutputFolder;

    public BuildSession(ImageBuildRequest request)
    {
        _request = request;
    }

    public DiagnosticBag Diagnostics { get; } = new();

    private CancellationToken Cancellation => _request.CancellationToken;

    // The SBOM is written when the request or the project turns it on.
    private bool WriteSbom => _request.WriteSbom || _project?.WriteSbom == true;

    /// <summary>Runs the stages in order and stops after the first stage that reports an error.</summary>
    public void Execute()
    {
        if (!Stage(BuildStage.LoadProject, "loading the project", LoadProject))
        {
            _report = BuildReportFor(imageSize: 0, new Dictionary<string, FileDigest>());
            return;
        }

        // Checksums are computed on another thread while the build goes on. The SBOM needs every
        // file's, so hashing starts with the files of the manifests and takes the kernel's files and
        // the added libraries once they are known. The report alone lists the SHA-256 of the ELF
        // objects only: hashing a large data payload would cost as much CPU time as writing it.
        if (!_request.CheckOnly && (_request.WriteReport || WriteSbom))
        {
            _digests = new DigestWorker(includeSha1: WriteSbom, Cancellation);
            if (WriteSbom)
            {
                _digests.Add(_project!.Plan.Files);
            }
        }

        if (!Stage(BuildStage.AddKernelFiles, "adding the kernel's base files", AddKernelFiles)
            || !Stage(BuildStage.AnalyseElf, "analysing ELF files and their DT_NEEDED closure", AnalyseElf)
            || _request.CheckOnly)
        {
            ObserveDigests();
            _report = BuildReportFor(imageSize: 0, new Dictionary<string, FileDigest>());
            return;
        }

        _digests?.Add(WriteSbom ? _project!.Plan.Files : ElfFiles());
        if (!Stage(BuildStage.WriteImage, $"writing the {Name(_fileSystem)} {Name(_format)} image", WriteImage))
        {
            ObserveDigests();
            RemoveCreatedOutputFolder();
            _report = BuildReportFor(imageSize: 0, new Dictionary<string, FileDigest>());
            return;
        }

        Dictionary<string, FileDigest> digests = new(StringComparer.Ordinal);
        if (_digests is not null)
        {
            (digests, List<Diagnostic> errors) = _digests.Finish();
            Diagnostics.AddRange(errors);
        }

        long imageSize = new FileInfo(_imagePath!).Length;
        _report = BuildReportFor(imageSize, digests);
        if (Diagnostics.HasErrors || !Stage(BuildStage.WriteSideOutputs, WriteSbom ? "writing the report, SBOM and dependency file" : "writing the report and dependency file", () => WriteSideOutputs(digests)))
        {
            RemoveOutputs();
        }
    }

    /// <summary>Deletes every output this build wrote, so that a failed build leaves nothing that looks finished.</summary>
    public void RemoveOutputs()
    {
        foreach (string path in _written)
        {
            AtomicFile.TryDelete(path);
        }

        _written.Clear();
        RemoveCreatedOutputFolder();
        _imagePath = _reportPath = _sbomPath = _dependencyPath = null;
        _report = _report is null ? null : _report with { Image = null, ImageSize = 0 };
    }

    // Deletes the output folder when this build created it and left nothing in it.
    private void RemoveCreatedOutputFolder()
    {
        if (_createdOutputFolder is null)
        {
            return;
        }

        try
        {
            if (!Directory.EnumerateFileSystemEntries(_createdOutputFolder).Any())
            {
                Directory.Delete(_createdOutputFolder);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // An empty folder left behind does no harm; the build's own error is what matters.
        }
    }

    /// <summary>Deletes the scratch folder of generated base files.</summary>
    public void DeleteScratch()
    {
        ObserveDigests();
        if (_scratch is not null && Directory.Exists(_scratch))
        {
            try
            {
                Directory.Delete(_scratch, recursive: true);
            }
            catch (IOException)
            {
                // A leftover folder under /tmp does no harm; the build's own result is what matters.
            }
        }
    }

    public ImageBuildResult ToResult()
    {
        List<GuestFile> files = _project?.Plan.Files.ToList() ?? [];
        return new ImageBuildResult
        {
            Diagnostics = Diagnostics.ToList(),
            ImagePath = _imagePath,
            ReportPath = _reportPath,
            SbomPath = _sbomPath,
            DependencyFilePath = _dependencyPath,
            Report = _report is null ? null : _report with { Diagnostics = BuildReportBuilder.Diagnostics(Diagnostics) },
            FileCount = files.Count,
            ContentBytes = files.Sum(f => f.Size),
            ImageSize = _imagePath is null ? 0 : new FileInfo(_imagePath).Length,
            Elapsed = _total.Elapsed,
            StageTimes = _stageTimes,
        };
    }

    // Runs one stage with progress and timing; returns false when the build must stop.
    private bool Stage(BuildStage stage, string message, Func<bool> run)
    {
        Cancellation.ThrowIfCancellationRequested();
        _request.Progress?.Report(new BuildProgress(stage, message));
        var watch = Stopwatch.StartNew();
        bool ok = run();
        _stageTimes.Add((stage, watch.Elapsed));
        return ok && !Diagnostics.HasErrors;
    }

    private bool Stage(BuildStage stage, string message, Action run) =>
        Stage(stage, message, () =>
        {
            run();
            return true;
        });

    private bool LoadProject()
    {
        _project = ProjectLoader.Load(_request, Diagnostics);
        if (_project is null)
        {
            return false;
        }

        _fileSystem = _request.FileSystem ?? _project.FileSystem ?? FileSystemKind.Rofs;
        if (!TryParseFormat(_request.Format, out ContainerFormat? requested))
        {
            return false;
        }

        _format = requested ?? _project.Format ?? ContainerFormat.Raw;
        _commandLine = _request.CommandLine ?? _project.CommandLine ?? string.Empty;
        if (string.IsNullOrWhiteSpace(_commandLine))
        {
            Diagnostics.Error(BuildDiagnosticCodes.CommandLineMissing,
                $"No command line for '{_request.ProjectPath}': set 'command' in osv.yaml or pass --cmdline, for example --cmdline /app/hello.so.",
                new SourceLocation(_request.ProjectPath));
            return false;
        }

        return true;
    }

    private bool TryParseFormat(string? name, out ContainerFormat? format)
    {
        format = null;
        if (name is null)
        {
            return true;
        }

        if (Enum.TryParse(name, ignoreCase: true, out ContainerFormat parsed) && Enum.IsDefined(parsed))
        {
            format = parsed;
            return true;
        }

        Diagnostics.Error(BuildDiagnosticCodes.InvalidSetting, $"The image format '{name}' is unknown; use raw, qcow2 or vmdk.");
        return false;
    }

    private bool AddKernelFiles()
    {
        string? bundlePath = _request.KernelBundlePath ?? _project!.KernelBundlePath;
        _kernel = bundlePath is null ? KernelBundle.Generic : KernelBundle.Load(bundlePath, Diagnostics);
        if (_kernel is null)
        {
            return false;
        }

        if (!_kernel.FileSystems.Contains(_fileSystem))
        {
            Diagnostics.Error(BuildDiagnosticCodes.FileSystemNotSupported,
                $"The kernel '{_kernel.Name}' cannot mount {Name(_fileSystem)} as its root; choose one of: {string.Join(", ", _kernel.FileSystems.Select(Name))}.");
            return false;
        }

        _scratch = Directory.CreateTempSubdirectory("osv-build-").FullName;
        try
        {
            _kernel.AddBaseFiles(_project!.Plan, _fileSystem, _scratch);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Diagnostics.Error(BuildDiagnosticCodes.BaseFilesFailed,
                $"The base files of kernel '{_kernel.Name}' could not be added: {exception.Message}");
            return false;
        }

        return true;
    }

    private void AnalyseElf()
    {
        IReadOnlyList<string> programs = CommandLinePrograms.Find(_commandLine);
        var options = new ElfAnalysisOptions { LibraryPaths = _project!.LibraryPaths, AddMissingLibraries = _project.AddMissingLibraries };
        _analysis = ElfAnalyzer.Analyze(_project.Plan, programs, _kernel!.Profile, options, Diagnostics);
    }

    private bool WriteImage()
    {
        string name = _request.ImageName ?? _project!.Name;
        if (name.Length == 0 || name.IndexOfAny(['/', '\0']) >= 0 || name is "." or "..")
        {
            Diagnostics.Error(BuildDiagnosticCodes.InvalidSetting, $"The image name '{name}' is not a valid file name; pass --name with a name such as 'hello'.");
            return false;
        }

        string directory = Path.GetFullPath(_request.OutputDirectory ?? _project!.OutputDirectory);
        try
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
                _createdOutputFolder = directory;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Diagnostics.Error(BuildDiagnosticCodes.OutputNotWritable,
                $"The output folder '{directory}' cannot be created: {exception.Message} Choose another folder with --output.");
            return false;
        }

        string imagePath = Path.Combine(directory, name + ImageBuild.ImageExtension(_format));
        var layout = new DiskLayout
        {
            Kernel = _kernel!.BootImagePath is null ? null : _kernel,

            // A kernel-less disk has no room for a command line; the report and 'dotnet osv run' carry it.
            CommandLine = _kernel.BootImagePath is null ? string.Empty : _commandLine,
            FileSystem = ImageBuild.CreateWriter(_fileSystem, _kernel),
            Plan = _project!.Plan,
            VirtualSize = _request.ImageSize ?? _project.ImageSize ?? DiskLayout.DefaultVirtualSize,
            Timestamp = _request.SourceDateEpoch,
        };

        try
        {
            _disk = ImageFileWriter.Write(layout, imagePath, _format, new ContainerOptions { Timestamp = _request.SourceDateEpoch }, Diagnostics, Cancellation);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            // NOTE: .NET reports EFBIG (a write past the file size limit, ulimit -f) as an
            // ArgumentOutOfRangeException from FileStream, so it is caught here with the I/O errors.
            AtomicFile.TryDelete(imagePath);
            Diagnostics.Error(BuildDiagnosticCodes.OutputNotWritable,
                $"Writing the image '{imagePath}' failed: {exception.Message} Free space, raise the file size limit or choose another folder with --output.");
            return false;
        }

        if (_disk is null)
        {
            return false;
        }

        _imagePath = imagePath;
        _written.Add(imagePath);
        return true;
    }

    private bool WriteSideOutputs(Dictionary<string, FileDigest> digests)
    {
        string stem = Path.Combine(Path.GetDirectoryName(_imagePath!)!, Path.GetFileNameWithoutExtension(_imagePath!));
        try
        {
            // A report or SBOM that an earlier build left under this image's name and this build does
            // not write is removed, so that no side output describes another image.
            string reportPath = stem + ".report.json";
            if (_request.WriteReport)
            {
                AtomicFile.Write(reportPath, stream => BuildReportWriter.Write(_report! with { Diagnostics = BuildReportBuilder.Diagnostics(Diagnostics) }, stream));
                _written.Add(reportPath);
                _reportPath = reportPath;
            }
            else
            {
                File.Delete(reportPath);
            }

            string sbomPath = stem + ".spdx.json";
            if (WriteSbom)
            {
                AtomicFile.Write(sbomPath, stream => SpdxWriter.Write(_report!, _project!.Name, BySha256(digests), _request.SourceDateEpoch, stream));
                _written.Add(sbomPath);
                _sbomPath = sbomPath;
            }
            else
            {
                File.Delete(sbomPath);
            }

            if (_request.WriteDependencyFile)
            {
                string path = stem + ".d";
                AtomicFile.Write(path, stream =>
                {
                    using var writer = new StreamWriter(stream, leaveOpen: true);
                    DependencyFileWriter.Write(_imagePath!, HostInputs(), writer);
                });
                _written.Add(path);
                _dependencyPath = path;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Diagnostics.Error(BuildDiagnosticCodes.SideOutputFailed,
                $"Writing the build's side outputs next to '{_imagePath}' failed: {exception.Message} The image was removed; free space or choose another folder with --output.");
            return false;
        }

        return true;
    }

    private static Dictionary<string, FileDigest> BySha256(Dictionary<string, FileDigest> byHostPath)
    {
        var bySha256 = new Dictionary<string, FileDigest>(StringComparer.Ordinal);
        foreach (FileDigest digest in byHostPath.Values)
        {
            bySha256.TryAdd(digest.Sha256, digest);
        }

        return bySha256;
    }

    // Every host input: the project files, each copied file and folder, the folders of '/**' trees,
    // and the kernel bundle's files.
    private IEnumerable<string> HostInputs()
    {
        foreach (string file in _project!.InputFiles)
        {
            yield return Path.GetFullPath(file);
        }

        foreach (GuestNode node in _project.Plan.Walk())
        {
            string? host = node switch
            {
                GuestFile file => file.HostPath,
                GuestDirectory directory => directory.HostPath,
                _ => null,
            };
            if (host is not null && !IsScratch(host))
            {
                yield return Path.GetFullPath(host);
            }
        }

        // A file added to a folder that a '/**' tree listed changes the folder's time, so make rebuilds.
        foreach (string treeFolder in _project.Plan.TreeFolders)
        {
            yield return treeFolder;
        }

        if (_kernel?.Folder is { } folder)
        {
            yield return Path.Combine(folder, KernelBundle.DescriptionFileName);
            if (_kernel.BootImagePath is { } bootImage)
            {
                yield return bootImage;
            }
        }
    }

    private bool IsScratch(string path) =>
        _scratch is not null && path.StartsWith(_scratch + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    // The plan's files that the ELF analysis read as ELF objects.
    private IEnumerable<GuestFile> ElfFiles()
    {
        var objects = _analysis!.Objects.Select(o => o.GuestPath).ToHashSet(StringComparer.Ordinal);
        return _project!.Plan.Files.Where(f => objects.Contains(f.GuestPath));
    }

    // Waits for the checksum worker so that no thread outlives the build, and drops its result.
    private void ObserveDigests() => _digests?.Abandon();

    private BuildReport BuildReportFor(long imageSize, IReadOnlyDictionary<string, FileDigest> digests)
    {
        Dictionary<string, ElfObjectRecord> elf = _analysis?.Objects.ToDictionary(o => o.GuestPath, StringComparer.Ordinal) ?? [];
        ImagePlan plan = _project?.Plan ?? new ImagePlan();
        return new BuildReport
        {
            Tool = ImageBuild.ToolName,
            Project = _request.ProjectPath,
            Image = _imagePath,
            Format = Name(_format),
            FileSystem = Name(_fileSystem),
            Kernel = _kernel is { BootImagePath: not null } kernel ? kernel.Name : null,
            CommandLine = _disk?.CommandLine ?? WithRootFileSystem(_commandLine),
            ImageSize = imageSize,
            PartitionSize = _disk?.PartitionSize ?? 0,
            ContentBytes = plan.Files.Sum(f => f.Size),
            Entries = BuildReportBuilder.Entries(plan, digests, file => elf.TryGetValue(file.GuestPath, out ElfObjectRecord? record) ? ToReport(record, plan) : null, IsScratch),
            Diagnostics = BuildReportBuilder.Diagnostics(Diagnostics),
        };
    }

    private static ReportElf ToReport(ElfObjectRecord record, ImagePlan plan) => new()
    {
        Kind = record.Kind switch
        {
            ElfKind.SharedObject => "shared-object",
            ElfKind.PositionIndependentExecutable => "pie-executable",
            ElfKind.Executable => "executable",
            ElfKind.StaticExecutable => "static-executable",
            ElfKind.Relocatable => "relocatable",
            ElfKind.Core => "core",
            _ => "other",
        },
        Soname = record.Soname,
        Needed = record.Needed.Select(n => n switch
        {
            { ProvidedByKernel: true } => new ReportNeeded(n.Name, "kernel"),
            { GuestPath: { } guest } when plan.Find(guest) is GuestFile { Reason: not null } added => new ReportNeeded(n.Name, "added", guest, added.HostPath),
            { GuestPath: { } guest } => new ReportNeeded(n.Name, "image", guest),
            _ => new ReportNeeded(n.Name, "missing"),
        }).ToList(),
    };

    // OSv's scripts/build puts --rootfs=FS first, as the assembler does for disks with a kernel.
    private string WithRootFileSystem(string commandLine) =>
        commandLine.StartsWith("--rootfs=", StringComparison.Ordinal) ? commandLine : $"--rootfs={Name(_fileSystem)} {commandLine}";

    private static string Name(FileSystemKind kind) => kind.ToString().ToLowerInvariant();

    private static string Name(ContainerFormat format) => format.ToString().ToLowerInvariant();
}
