using Microsoft.Build.Framework;
using Osv.ImageBuilder.Run;
using Osv.Sdk.Tasks.Compilation;

namespace Osv.Sdk.Tasks.Run;

/// <summary>
/// Computes the qemu command that boots the image, for <c>dotnet run</c>: it sets RunCommand and
/// RunArguments, and dotnet run then starts qemu with the serial console on the terminal.
/// </summary>
public sealed class ComputeOsvRunCommand : OsvRunTask
{
    /// <summary>The full path of qemu.</summary>
    [Output]
    public string RunCommand { get; set; } = string.Empty;

    /// <summary>The qemu arguments as one string, quoted the way .NET splits a command line.</summary>
    [Output]
    public string RunArguments { get; set; } = string.Empty;

    /// <inheritdoc/>
    public override bool Execute()
    {
        QemuRunOptions? options = CreateOptions();
        if (options is null)
        {
            return false;
        }

        string? qemu = ToolLocator.Find(options.QemuPath, Directory.GetCurrentDirectory());
        if (qemu is null)
        {
            Fail<object>(nameof(Resources.Strings.ToolNotFound), "emulator", options.QemuPath, "qemu-system-x86", "OsvQemu");
            return false;
        }

        QemuAccelerator accelerator = QemuRunner.ResolveAccelerator(options.Accelerator, qemu);
        IReadOnlyList<string> arguments = QemuRunner.BuildArguments(options, accelerator, ImageFormat.Trim().ToLowerInvariant());
        RunCommand = qemu;
        RunArguments = string.Join(' ', arguments.Select(CommandLineQuoting.Quote));
        return true;
    }
}
