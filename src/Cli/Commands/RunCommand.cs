using System.CommandLine;
using System.Globalization;
using Osv.Diagnostics;
using Osv.ImageBuilder;
using Osv.ImageBuilder.Inspect;
using Osv.ImageBuilder.Kernel;
using Osv.ImageBuilder.Run;

namespace Osv.Cli.Commands;

/// <summary><c>dotnet osv run IMAGE</c>: boots an image in qemu with the console on this terminal.</summary>
internal static class RunCommand
{
    public static Command Create(Output.CliConsole console)
    {
        var image = new Argument<string>("IMAGE") { Description = "The disk image to boot (raw, qcow2 or vmdk; the format is read from the file)." };
        var kernel = new Option<string?>("--kernel", "-k")
        {
            Description = "An OSv kernel ELF (loader-stripped.elf) or a kernel bundle folder, booted with qemu -kernel. Needed for a kernel-less disk. Default: the kernel on the disk.",
            HelpName = "ELF|BUNDLE_DIR",
        };
        var commandLine = new Option<string?>("--cmdline", "-c")
        {
            Description = "The OSv command line for an external kernel. Default: the command line in the image's .report.json next to it.",
            HelpName = "TEXT",
        };
        var memory = new Option<int>("--memory", "-m")
        {
            Description = "The guest memory in MiB.",
            HelpName = "MIB",
            DefaultValueFactory = _ => 1024,
        };
        var cpus = new Option<int>("--cpus")
        {
            Description = "The number of virtual CPUs.",
            HelpName = "N",
            DefaultValueFactory = _ => 2,
        };
        var forwards = new Option<string[]>("--forward", "-p")
        {
            Description = "Forward a port of 127.0.0.1 to the guest, HOST:GUEST with an optional /udp, for example 8080:80. Repeat for several. Default: none.",
            HelpName = "HOST:GUEST",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var accelerator = new Option<string>("--accel")
        {
            Description = "How qemu runs the guest: kvm, tcg (software emulation) or auto (KVM when /dev/kvm can really run a guest, else TCG).",
            HelpName = "auto|kvm|tcg",
            DefaultValueFactory = _ => "auto",
        };
        accelerator.AcceptOnlyFromAmong("auto", "kvm", "tcg");
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Stop the guest after this many seconds and exit with 1. Default: no limit.",
            HelpName = "SECONDS",
        };
        var noNetwork = new Option<bool>("--no-network") { Description = "Boot without a network card. Default: off, so the guest gets a virtio-net card on qemu's user-mode network." };
        var qemu = new Option<string>("--qemu")
        {
            Description = "The qemu executable.",
            HelpName = "PATH",
            DefaultValueFactory = _ => "qemu-system-x86_64",
        };

        memory.Validators.Add(r => RequirePositive(r, "--memory"));
        cpus.Validators.Add(r => RequirePositive(r, "--cpus"));
        forwards.Validators.Add(result =>
        {
            foreach (string rule in result.Tokens.Select(t => t.Value))
            {
                if (!PortForward.TryParse(rule, out _, out string? error))
                {
                    result.AddError(error!);
                }
            }
        });
        timeout.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && (!double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0))
            {
                result.AddError($"The timeout '{result.Tokens[0].Value}' is invalid; give a positive number of seconds.");
            }
        });

        var command = new Command("run", "Boot an image in qemu-system-x86_64 with the serial console on this terminal and user-mode networking. Exits with the guest's qemu exit code.")
        {
            image, kernel, commandLine, memory, cpus, forwards, accelerator, timeout, noNetwork, qemu,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string imagePath = parseResult.GetRequiredValue(image);
            if (!File.Exists(imagePath))
            {
                console.Error.WriteLine($"error OSV6101: The image '{imagePath}' does not exist; build it with 'dotnet osv build' or check the path.");
                return ExitCodes.Failed;
            }

            string? kernelPath = ResolveKernel(parseResult.GetValue(kernel), console, out bool kernelError);
            if (kernelError || (kernelPath is null && !HasKernel(imagePath, console)))
            {
                return ExitCodes.Failed;
            }

            string? cmdline = parseResult.GetValue(commandLine) ?? (kernelPath is not null ? ReportCommandLine(imagePath) : null);
            if (kernelPath is not null && string.IsNullOrWhiteSpace(cmdline))
            {
                console.Error.WriteLine($"error OSV6103: No command line for the external kernel: '{imagePath}' has no .report.json next to it; pass --cmdline, for example --cmdline /hello.so.");
                return ExitCodes.Failed;
            }

            var options = new QemuRunOptions
            {
                ImagePath = imagePath,
                KernelPath = kernelPath,
                CommandLine = cmdline,
                MemoryMiB = parseResult.GetValue(memory),
                Cpus = parseResult.GetValue(cpus),
                PortForwards = ParseForwards(parseResult.GetValue(forwards)),
                Networking = !parseResult.GetValue(noNetwork),
                Accelerator = parseResult.GetValue(accelerator) switch { "kvm" => QemuAccelerator.Kvm, "tcg" => QemuAccelerator.Tcg, _ => QemuAccelerator.Auto },
                Timeout = parseResult.GetValue(timeout) is double seconds ? TimeSpan.FromSeconds(seconds) : null,
                QemuPath = parseResult.GetValue(qemu)!,
            };

            KvmProbeResult probe = options.Accelerator == QemuAccelerator.Auto ? KvmProbe.Cached(options.QemuPath) : new KvmProbeResult(true, null);
            if (!probe.Usable)
            {
                console.Error.WriteLine($"note: KVM is not usable: {probe.Reason} Running under TCG software emulation, which is slow.");
            }

            QemuRunResult result;
            try
            {
                result = await QemuRunner.RunAsync(options, cancellationToken);
            }
            catch (InvalidOperationException exception)
            {
                console.Error.WriteLine($"error OSV6104: {exception.Message}");
                return ExitCodes.Failed;
            }

            if (result.TimedOut)
            {
                console.Error.WriteLine($"error OSV6105: The guest was still running after {options.Timeout!.Value.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was stopped.");
                return ExitCodes.Failed;
            }

            return result.ExitCode;
        });
        return command;
    }

    private static void RequirePositive(System.CommandLine.Parsing.OptionResult result, string name)
    {
        if (result.Tokens.Count > 0 && (!int.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value <= 0))
        {
            result.AddError($"The value '{result.Tokens[0].Value}' of {name} is invalid; give a positive whole number.");
        }
    }

    // A kernel-less disk boots only with --kernel: the firmware would find no boot code and wait forever.
    private static bool HasKernel(string imagePath, Output.CliConsole console)
    {
        try
        {
            using DiskImage disk = DiskImage.Open(imagePath);
            if (disk.CommandLine is not null)
            {
                return true;
            }

            console.Error.WriteLine($"error OSV6106: '{imagePath}' is a kernel-less disk; pass an OSv kernel with --kernel PATH/loader-stripped.elf (or a kernel bundle folder).");
            return false;
        }
        catch (Exception exception) when (exception is InvalidImageException or IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error OSV6107: '{imagePath}' is not a valid OSv image: {exception.Message}");
            return false;
        }
    }

    // The validator has already rejected invalid rules.
    private static List<PortForward> ParseForwards(string[]? rules)
    {
        var forwards = new List<PortForward>();
        foreach (string rule in rules ?? [])
        {
            if (PortForward.TryParse(rule, out PortForward? forward, out _))
            {
                forwards.Add(forward!);
            }
        }

        return forwards;
    }

    // A bundle folder gives its kernel ELF; a file is used as it is.
    private static string? ResolveKernel(string? path, Output.CliConsole console, out bool failed)
    {
        failed = false;
        if (path is null || File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path))
        {
            console.Error.WriteLine($"error OSV6102: The kernel '{path}' does not exist; pass an OSv loader-stripped.elf or a kernel bundle folder.");
            failed = true;
            return null;
        }

        var diagnostics = new DiagnosticBag();
        KernelBundle? bundle = KernelBundle.Load(path, diagnostics);
        if (bundle?.KernelElfPath is { } elf)
        {
            return elf;
        }

        Output.DiagnosticPrinter.Print(diagnostics, console.Error);
        console.Error.WriteLine($"error OSV6102: The kernel bundle '{path}' has no kernel ELF; pass loader-stripped.elf itself or import the bundle again with 'dotnet osv kernel import'.");
        failed = true;
        return null;
    }

    private static string? ReportCommandLine(string imagePath)
    {
        string reportPath = Path.ChangeExtension(imagePath, null) + ".report.json";
        if (!File.Exists(reportPath))
        {
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(reportPath));
            return document.RootElement.TryGetProperty("commandLine", out System.Text.Json.JsonElement value) ? value.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
