using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Tests.Kernel;

public sealed class KernelDescriptionTests
{
    [Fact]
    public void Writer_output_reads_back_equal()
    {
        KernelBundleDescription original = GenericKernelProfile.Create();
        original.OsvVersion = "v0.57.0-398-g0e34e4dc";
        original.BootImage = "loader.img";
        original.ExportedSymbols = "12";
        original.Headers = ["include", "with space"];
        original.BaseFiles!.Add(new KernelBundleDescription.BaseFile { Guest = "/etc/empty", Content = string.Empty });
        original.BaseFiles.Add(new KernelBundleDescription.BaseFile { Guest = "/etc/flag", Content = "true" });
        original.BaseFiles.Add(new KernelBundleDescription.BaseFile { Guest = "/etc/quote", Content = "a \"quoted\": value\n\ttab\n" });

        string yaml = KernelDescriptionWriter.Write(original, "test bundle");
        KernelBundleDescription? copy = KernelDescriptionReader.Read(yaml);

        Assert.StartsWith("# test bundle\n", yaml, StringComparison.Ordinal);
        Assert.NotNull(copy);
        Assert.Equal(Flatten(original), Flatten(copy));
    }

    [Fact]
    public void Reader_reports_wrong_shape_with_line()
    {
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleLoader.Parse("formatVersion: 1\nbaseFiles:\n  - guest: /a\n    directory: maybe\n", "osv-kernel.yaml", folder: null, diagnostics);

        Assert.Null(bundle);
        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(KernelDiagnosticCodes.InvalidYaml, error.Code);
        Assert.Equal(4, error.Location?.Line);
        Assert.Contains("baseFiles[0].directory", error.Message, StringComparison.Ordinal);
        Assert.Contains("'maybe'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_profile_passes_the_bundle_checks()
    {
        var diagnostics = new DiagnosticBag();

        KernelBundle? bundle = KernelBundleLoader.Parse(KernelDescriptionWriter.Write(GenericKernelProfile.Create(), "generic"), "generic.yaml", folder: null, diagnostics);

        Assert.Empty(diagnostics);
        Assert.NotNull(bundle);
        Assert.Equal(KernelBundle.Generic.Profile.ProvidedSonames.Order(StringComparer.Ordinal), bundle.Profile.ProvidedSonames.Order(StringComparer.Ordinal));
        Assert.Equal(KernelBundle.Generic.BaseFiles.Count, bundle.BaseFiles.Count);
    }

    [Fact]
    public void Mutated_descriptions_give_diagnostics_not_exceptions()
    {
        string sample = KernelDescriptionWriter.Write(GenericKernelProfile.Create(), "generic");
        const string Alphabet = "[]{}\"':,-#&*!|>% \t\nab1/";
        var random = new Random(2026);
        for (int round = 0; round < 2000; round++)
        {
            var mutated = new System.Text.StringBuilder(sample);
            for (int e = random.Next(1, 4); e > 0 && mutated.Length > 0; e--)
            {
                int at = random.Next(mutated.Length);
                mutated[at] = Alphabet[random.Next(Alphabet.Length)];
            }

            string yaml = mutated.ToString();
            var diagnostics = new DiagnosticBag();
            Exception? thrown = Record.Exception(() => KernelBundleLoader.Parse(yaml, "osv-kernel.yaml", folder: null, diagnostics));

            Assert.True(thrown is null, $"round {round} threw {thrown}\n--- input\n{yaml}");
        }
    }

    // Every value of a description as one line of text each, so that two descriptions compare field by field.
    private static List<string> Flatten(KernelBundleDescription d)
    {
        var lines = new List<string>
        {
            $"formatVersion={d.FormatVersion}", $"name={d.Name}", $"osvVersion={d.OsvVersion}", $"architecture={d.Architecture}",
            $"machine={d.Machine}", $"acceptedElfTypes={Join(d.AcceptedElfTypes)}", $"kernelAddress={d.KernelAddress?.Start}..{d.KernelAddress?.End}",
            $"bootImage={d.BootImage}", $"kernelElf={d.KernelElf}", $"commandLine={d.CommandLine?.Offset}+{d.CommandLine?.MaxBytes}",
            $"filesystems={Join(d.Filesystems)}", $"zfs={d.Zfs?.Pool}/{d.Zfs?.RootDataset}", $"providedSonames={Join(d.ProvidedSonames)}",
            $"exportedSymbols={d.ExportedSymbols}", $"headers={Join(d.Headers)}",
        };
        foreach (KernelBundleDescription.BaseFile file in d.BaseFiles ?? [])
        {
            lines.Add($"baseFile guest={file.Guest} host={file.Host ?? "<null>"} content={file.Content ?? "<null>"} link={file.Link ?? "<null>"} directory={file.Directory?.ToString() ?? "<null>"} filesystems={Join(file.Filesystems)}");
        }

        return lines;
    }

    private static string Join(List<string>? values) => values is null ? "<null>" : "[" + string.Join("|", values) + "]";
}
