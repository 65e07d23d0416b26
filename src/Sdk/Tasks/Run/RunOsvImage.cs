using System.Globalization;
using Microsoft.Build.Framework;
using Osv.ImageBuilder.Run;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Run;

/// <summary>
/// Boots the image with <see cref="QemuRunner"/> inside the build (the Run target), logging each line of
/// the serial console as a message, and fails when qemu exits with an error or the timeout passes.
/// </summary>
public sealed class RunOsvImage : OsvRunTask, ICancelableTask
{
    // Stops the guest that Execute is running; null outside Execute.
    private volatile Action? _cancel;

    /// <summary>Seconds the guest may run before it is stopped, or empty for no limit. Ex: <c>60</c>.</summary>
    public string TimeoutSeconds { get; set; } = string.Empty;

    /// <summary>qemu's exit code: 0 when the guest powered off.</summary>
    [Output]
    public int ExitCode { get; set; }

    /// <summary>Stops the guest: qemu gets SIGTERM, then SIGKILL.</summary>
    public void Cancel() => _cancel?.Invoke();

    /// <inheritdoc/>
    public override bool Execute()
    {
        TimeSpan? timeout = null;
        if (TimeoutSeconds.Trim().Length > 0)
        {
            if (!double.TryParse(TimeoutSeconds, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
            {
                Fail<object>(nameof(Strings.InvalidRunTimeout), TimeoutSeconds);
                return false;
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        QemuRunOptions? options = CreateOptions();
        if (options is null)
        {
            return false;
        }

        options = options with
        {
            Timeout = timeout,
            ConsoleLine = line => Log.LogMessage(MessageImportance.High, line),
        };

        using var cancellation = new CancellationTokenSource();
        _cancel = cancellation.Cancel;
        QemuRunResult result;
        try
        {
            result = QemuRunner.RunAsync(options, cancellation.Token).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is InvalidOperationException or FileNotFoundException)
        {
            Fail<object>(nameof(Strings.RunFailed), exception.Message);
            return false;
        }
        finally
        {
            _cancel = null;
        }

        ExitCode = result.ExitCode;
        if (result.TimedOut)
        {
            Fail<object>(nameof(Strings.RunTimedOut), Invariant(timeout!.Value.TotalSeconds));
        }
        else if (result.ExitCode != 0 && !result.Cancelled)
        {
            Fail<object>(nameof(Strings.RunExitCode), result.ExitCode);
        }

        return !Log.HasLoggedErrors;
    }
}
