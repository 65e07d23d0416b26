using System.Text.RegularExpressions;
using Osv.ImageBuilder.FileSystems;

namespace Osv.ImageBuilder.Tests.OsvBuild;

/// <summary>
/// The real OSv build that the gated tests use. OSV_BUILD_DIR names a finished OSv build folder
/// (build/release); OSV_SOURCE_DIR names its source tree when the folder was copied out of it. Tests
/// that need them skip with the reason when they are unset, so CI on a fresh machine skips them.
/// </summary>
internal static partial class OsvBuildEnvironment
{
    /// <summary>The variable that names the OSv build folder.</summary>
    public const string BuildVariable = "OSV_BUILD_DIR";

    /// <summary>The variable that names the OSv source tree.</summary>
    public const string SourceVariable = "OSV_SOURCE_DIR";

    /// <summary>Returns the build folder, or skips the test when OSV_BUILD_DIR is unset.</summary>
    public static string RequireBuild()
    {
        string? build = Environment.GetEnvironmentVariable(BuildVariable);
        if (string.IsNullOrEmpty(build))
        {
            Assert.Skip($"{BuildVariable} is not set; point it at an OSv build folder (osv/build/release) to run the tests on a real kernel.");
        }

        Assert.True(File.Exists(Path.Combine(build, "loader.img")), $"{BuildVariable}={build} has no loader.img; it must name a finished OSv build folder.");
        return Path.GetFullPath(build);
    }

    /// <summary>Returns the source tree of the build, or null when neither OSV_SOURCE_DIR nor the folder two levels up has one.</summary>
    public static string? FindSource()
    {
        string build = RequireBuild();
        string? configured = Environment.GetEnvironmentVariable(SourceVariable);
        string candidate = string.IsNullOrEmpty(configured) ? Path.GetFullPath(Path.Combine(build, "..", "..")) : Path.GetFullPath(configured);
        return File.Exists(Path.Combine(candidate, "core", "elf.cc")) ? candidate : null;
    }

    /// <summary>Returns the source tree of the build, or skips the test when it is not found.</summary>
    public static string RequireSource()
    {
        string? source = FindSource();
        if (source is null)
        {
            Assert.Skip($"The OSv source tree of {RequireBuild()} was not found; set {SourceVariable} to it.");
        }

        return source;
    }

    /// <summary>Returns the filesystem the build was made for, from the --rootfs option of its cmdline file.</summary>
    public static FileSystemKind BuildFileSystem()
    {
        string cmdline = Path.Combine(RequireBuild(), "cmdline");
        Match match = RootfsPattern().Match(File.Exists(cmdline) ? File.ReadAllText(cmdline) : string.Empty);
        if (!match.Success)
        {
            Assert.Skip($"{cmdline} names no --rootfs=rofs or --rootfs=zfs, so the build's filesystem is unknown.");
        }

        return Enum.Parse<FileSystemKind>(match.Groups[1].Value, ignoreCase: true);
    }

    [GeneratedRegex("--rootfs=(rofs|zfs)\\b")]
    private static partial Regex RootfsPattern();
}
