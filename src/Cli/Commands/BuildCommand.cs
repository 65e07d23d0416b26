using System.CommandLine;
using System.Globalization;
using Osv.Cli.Output;
using Osv.ImageBuilder.Build;
using Osv.ImageBuilder.Build.Reports;
using Osv.Manifests.Project;

namespace Osv.Cli.Commands;

/// <summary><c>dotnet osv build</c> and <c>dotnet osv check</c>: the same pipeline, with or without writing the image.</summary>
internal static class BuildCommand
{
    public static Command CreateBuild(CliConsole console)
    {
        var project = new ProjectOptions();
        var output = new Option<string?>("--output", "-o")
        {
            Description = "The folder that receives the image, its report (.report.json), dependency file (.d) and, with --sbom, SBOM (.spdx.json). Created when missing. Default: osv.yaml's 'output', else 'out' next to the project file.",
            HelpName = "DIR",
        };
        var name = new Option<string?>("--name")
        {
            Description = "The image file name without extension. Default: the project's name, else the project file's folder name.",
            HelpName = "NAME",
        };
        var format = new Option<string?>("--format", "-f")
        {
            Description = "The container format of the image file: raw, qcow2 or vmdk. Default: the project's, else raw.",
            HelpName = "raw|qcow2|vmdk",
        };
        format.AcceptOnlyFromAmong("raw", "qcow2", "vmdk");
        var size = new Option<string?>("--size")
        {
            Description = "The virtual size of the disk: a multiple of 512 bytes, or a whole number with K, M, G or T (binary: 512M = 512 MiB), as in osv.yaml. ZFS fills it; ROFS only needs it to fit. Default: the project's, else 512M.",
            HelpName = "SIZE",
        };
        size.Validators.Add(result =>
        {
            string? text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (text is not null && !ImageSizeParser.TryParse(text, out _, out string? error))
            {
                result.AddError(error!);
            }
        });

        var sbom = new Option<bool>("--sbom")
        {
            Description = "Also write an SPDX 2.3 SBOM (.spdx.json) with the SHA-1 and SHA-256 of every file. Default: off, because hashing every file twice costs about as much as writing the image.",
        };
        var timings = new Option<bool>("--timings") { Description = "Print how long each stage of the build took, in seconds. Default: off." };

        var command = new Command("build", "Build an OSv disk image from an osv.yaml project or a usr.manifest: expand the manifest, add the DT_NEEDED closure of every ELF file, check it against the kernel, write the filesystem and the disk.");
        project.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(name);
        command.Options.Add(format);
        command.Options.Add(size);
        command.Options.Add(sbom);
        command.Options.Add(timings);
        command.SetAction((parseResult, cancellationToken) =>
        {
            project.ShowTimings = parseResult.GetValue(timings);
            project.WriteSbom = parseResult.GetValue(sbom);
            string? sizeText = parseResult.GetValue(size);
            long? imageSize = sizeText is not null && ImageSizeParser.TryParse(sizeText, out long bytes, out _) ? bytes : null;
            return RunAsync(console, project, parseResult, checkOnly: false, parseResult.GetValue(output), parseResult.GetValue(name), parseResult.GetValue(format), imageSize, cancellationToken);
        });
        return command;
    }

    public static Command CreateCheck(CliConsole console)
    {
        var project = new ProjectOptions();
        var command = new Command("check", "Run every check of 'build' (manifest, files, ELF closure, kernel symbols, filesystem limits) without writing an image. Exits with 1 when errors are found.");
        project.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
            RunAsync(console, project, parseResult, checkOnly: true, outputDirectory: null, imageName: null, format: null, imageSize: null, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliConsole console,
        ProjectOptions project,
        ParseResult parseResult,
        bool checkOnly,
        string? outputDirectory,
        string? imageName,
        string? format,
        long? imageSize,
        CancellationToken cancellationToken)
    {
        if (!ProjectOptions.TryReadSourceDateEpoch(out long sourceDateEpoch, out string? epochError))
        {
            console.Error.WriteLine($"error OSV6002: {epochError}");
            return ExitCodes.Usage;
        }

        string projectPath = parseResult.GetValue(project.Project) ?? ProjectOptions.DefaultProjectFile;
        bool json = parseResult.GetValue(project.Json);
        bool quiet = parseResult.GetValue(project.Quiet);
        var request = new ImageBuildRequest
        {
            ProjectPath = projectPath,
            OutputDirectory = outputDirectory,
            ImageName = imageName,
            CommandLine = parseResult.GetValue(project.CommandLine),
            FileSystem = ProjectOptions.ParseFileSystem(parseResult.GetValue(project.FileSystem)),
            Format = format,
            ImageSize = imageSize,
            KernelBundlePath = parseResult.GetValue(project.Kernel),
            Defines = project.ReadDefines(parseResult),
            SourceDateEpoch = sourceDateEpoch,
            CheckOnly = checkOnly,
            WriteSbom = project.WriteSbom,
            CancellationToken = cancellationToken,
        };

        if (!quiet && !json)
        {
            console.Error.WriteLine(checkOnly ? $"Checking {projectPath}" : $"Building {projectPath}");
        }

        ImageBuildResult result = await BuildProgressDisplay.RunAsync(console, quiet || json, progress =>
            ImageBuild.Run(request with { Progress = progress }));

        (int errors, int warnings) = DiagnosticPrinter.Print(result.Diagnostics, console.Error, includeInfo: !quiet);
        if (json && result.Report is { } report)
        {
            console.Out.WriteLine(BuildReportWriter.ToJson(report));
        }

        if (!quiet && !json)
        {
            WriteSummary(console.Error, result, checkOnly, errors, warnings);
        }

        if (project.ShowTimings)
        {
            foreach ((BuildStage stage, TimeSpan elapsed) in result.StageTimes)
            {
                console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stage,-18} {elapsed.TotalSeconds,7:0.000} s"));
            }
        }

        return result.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static void WriteSummary(TextWriter writer, ImageBuildResult result, bool checkOnly, int errors, int warnings)
    {
        string seconds = result.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        string counts = DiagnosticPrinter.Counts(errors, warnings);
        if (!result.Succeeded)
        {
            writer.WriteLine($"{(checkOnly ? "Check" : "Build")} failed: {counts} ({seconds} s).");
            return;
        }

        string content = $"{result.FileCount} files, {Sizes.Format(result.ContentBytes)}";
        if (checkOnly)
        {
            writer.WriteLine($"Check passed: {content}; {counts} ({seconds} s).");
            return;
        }

        writer.WriteLine($"Built {result.ImagePath}: {content}, image {Sizes.Format(result.ImageSize)}; {counts} ({seconds} s).");
        if (result.ReportPath is not null)
        {
            writer.WriteLine($"  report: {result.ReportPath}");
        }

        if (result.SbomPath is not null)
        {
            writer.WriteLine($"  SBOM:   {result.SbomPath}");
        }

        if (result.Report is { Kernel: null } report)
        {
            writer.WriteLine("  The image has no kernel (no kernel bundle was given). Boot it with an OSv kernel ELF:");
            writer.WriteLine($"    dotnet osv run {result.ImagePath} --kernel PATH/loader-stripped.elf");
            writer.WriteLine($"    or: qemu-system-x86_64 -m 1G -kernel PATH/loader-stripped.elf -append \"{report.CommandLine}\" \\");
            writer.WriteLine($"          -drive file={result.ImagePath},if=virtio -nographic");
            writer.WriteLine("  Make a bundle from an OSv build with 'dotnet osv kernel import OSV_BUILD_DIR' to embed the kernel.");
        }
    }
}
