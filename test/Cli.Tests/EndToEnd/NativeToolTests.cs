using System.Runtime.InteropServices;

namespace Osv.Cli.Tests.EndToEnd;

/// <summary>
/// The native tool that 'dotnet publish src/Cli -r RID' compiles ahead of time: it builds the same image,
/// byte for byte, as the framework-dependent tool the other tests run.
/// </summary>
public sealed class NativeToolTests
{
    [Fact]
    public void Native_tool_builds_identical_image()
    {
        if (!Processes.OnPath("clang"))
        {
            Assert.Skip("clang is not installed, and the native compiler needs it; run .ci/install-prerequisites.");
        }

        using var temp = new TempDirectory();
        string folder = Samples.Prepare(temp, "hello");

        // A separate artifacts folder keeps this publish away from the repository's own obj and bin folders.
        string native = temp.Combine("native");
        ProcessOutput publish = Processes.Run("dotnet", Samples.RepositoryRoot,
            "publish", Path.Combine(Samples.RepositoryRoot, "src", "Cli", "Cli.csproj"), "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier,
            "--artifacts-path", temp.Combine("artifacts"), "-o", native, "-nologo");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string tool = Path.Combine(native, "dotnet-osv");
        Assert.True(File.Exists(tool), $"the publish wrote no {tool}");
        Assert.False(File.Exists(Path.Combine(native, "dotnet-osv.dll")), "the publish wrote a JIT-compiled assembly, not a native executable");

        ProcessOutput nativeBuild = Processes.Run(tool, folder, "build", "--output", "out-native", "--quiet");
        ProcessOutput jitBuild = ToolProcess.Run(folder, "build", "--output", "out-jit", "--quiet");

        Assert.True(nativeBuild.ExitCode == 0, nativeBuild.ToString());
        Assert.True(jitBuild.ExitCode == 0, jitBuild.ToString());
        byte[] nativeImage = File.ReadAllBytes(Path.Combine(folder, "out-native", "hello.qcow2"));
        byte[] jitImage = File.ReadAllBytes(Path.Combine(folder, "out-jit", "hello.qcow2"));
        Assert.True(nativeImage.AsSpan().SequenceEqual(jitImage), "the image differs between the native and the JIT-compiled tool");

        // The reports differ only in the image's path, which names the output folder.
        string nativeReport = File.ReadAllText(Path.Combine(folder, "out-native", "hello.report.json")).Replace("out-native", "out-jit", StringComparison.Ordinal);
        string jitReport = File.ReadAllText(Path.Combine(folder, "out-jit", "hello.report.json"));
        Assert.Equal(jitReport, nativeReport);
    }
}
