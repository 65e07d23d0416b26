using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Tests.OsvBuild;

/// <summary>
/// The bundle imported once per test class from OSV_BUILD_DIR, with the source tree when there is one.
/// Creating it never fails, because the import runs when a test first reads <see cref="Bundle"/>, which skips the test when the variable is unset.
/// </summary>
public sealed class ImportedKernel : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("osv-real-kernel-").FullName;
    private readonly Lazy<(KernelBundle? Bundle, DiagnosticBag Diagnostics)> _import;

    public ImportedKernel()
    {
        _import = new Lazy<(KernelBundle?, DiagnosticBag)>(() =>
        {
            var diagnostics = new DiagnosticBag();
            var options = new KernelImportOptions { SourceDirectory = OsvBuildEnvironment.FindSource() };
            KernelBundle? bundle = KernelBundleImporter.Import(OsvBuildEnvironment.RequireBuild(), Path.Combine(_folder, "bundle"), options, diagnostics);
            return (bundle, diagnostics);
        });
    }

    /// <summary>Gets a scratch folder that is deleted with the fixture.</summary>
    public string Folder => _folder;

    /// <summary>Gets the bundle, or skips the test when OSV_BUILD_DIR is unset.</summary>
    public KernelBundle Bundle
    {
        get
        {
            OsvBuildEnvironment.RequireBuild();
            (KernelBundle? bundle, DiagnosticBag diagnostics) = _import.Value;
            Assert.True(bundle is not null, "The import failed:\n" + string.Join("\n", diagnostics));
            return bundle;
        }
    }

    /// <summary>Gets what the import reported.</summary>
    public DiagnosticBag Diagnostics
    {
        get
        {
            _ = Bundle;
            return _import.Value.Diagnostics;
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
