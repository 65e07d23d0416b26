using System.Text.Json;

namespace Osv.Sdk.Tests.Infrastructure;

/// <summary>Asks qemu-img (package qemu-utils) what an image file is, as an independent judge of the SDK's output.</summary>
internal static class QemuImg
{
    /// <summary>Returns the format qemu-img reads from the file and whether <c>qemu-img check</c> found it consistent.</summary>
    /// <param name="path">The image file.</param>
    public static async Task<(string Format, bool CheckPassed)> InspectAsync(string path)
    {
        var environment = new Dictionary<string, string?>();
        ProcessResult info = await ProcessRunner.RunAsync("qemu-img", ["info", "--output=json", path], Path.GetTempPath(), environment, TimeSpan.FromMinutes(1));
        Assert.True(info.ExitCode == 0, "qemu-img info failed: " + info.Output);
        using JsonDocument document = JsonDocument.Parse(info.Output);
        string format = document.RootElement.GetProperty("format").GetString()!;

        // qemu-img check supports qcow2 and vmdk; raw files have nothing to check.
        bool checkPassed = true;
        if (format != "raw")
        {
            ProcessResult check = await ProcessRunner.RunAsync("qemu-img", ["check", path], Path.GetTempPath(), environment, TimeSpan.FromMinutes(1));
            checkPassed = check.ExitCode == 0;
        }

        return (format, checkPassed);
    }
}
