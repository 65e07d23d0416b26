using System.CommandLine;
using Osv.Cli.Output;
using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;

namespace Osv.Cli.Commands;

/// <summary><c>dotnet osv kernel import OSV_BUILD_DIR</c>: makes a kernel bundle from an OSv build.</summary>
internal static class KernelCommand
{
    public static Command Create(CliConsole console)
    {
        var buildDirectory = new Argument<string>("OSV_BUILD_DIR")
        {
            Description = "An OSv build output folder, such as osv/build/release, holding loader.img and loader-stripped.elf; the OSv source tree is taken to be two levels up unless --source names it.",
        };
        var sourceDirectory = new Option<string?>("--source")
        {
            Description = "The OSv source tree the build was made from, for a build folder copied out of it; the usr manifest skeletons, static/etc and the headers are read from it. Default: two levels above OSV_BUILD_DIR.",
            HelpName = "OSV_SOURCE_DIR",
        };
        var libgccDirectory = new Option<string?>("--libgcc-dir")
        {
            Description = "The folder of the libgcc_s.so.1 that images get as /usr/lib/libgcc_s.so.1. Default: the folder the build's usr.manifest names.",
            HelpName = "DIR",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The bundle folder to create; files already there are replaced.",
            HelpName = "BUNDLE_DIR",
            DefaultValueFactory = _ => "osv-kernel",
        };

        var import = new Command("import", "Make a kernel bundle (boot image, kernel ELF, base files, exported symbols, headers and osv-kernel.yaml) from an OSv build, for 'build --kernel'.")
        {
            buildDirectory, output, sourceDirectory, libgccDirectory,
        };
        import.SetAction(parseResult =>
        {
            string source = parseResult.GetRequiredValue(buildDirectory);
            string destination = parseResult.GetValue(output)!;
            if (!Directory.Exists(source))
            {
                console.Error.WriteLine($"error OSV6301: The OSv build folder '{source}' does not exist; build OSv first (scripts/build) and pass its build/release folder.");
                return ExitCodes.Failed;
            }

            var diagnostics = new DiagnosticBag();
            var options = new KernelImportOptions
            {
                SourceDirectory = parseResult.GetValue(sourceDirectory),
                LibgccDirectory = parseResult.GetValue(libgccDirectory),
            };
            KernelBundle? bundle = KernelBundleImporter.Import(source, destination, options, diagnostics);
            (int errors, int warnings) = DiagnosticPrinter.Print(diagnostics, console.Error);
            if (bundle is null || errors > 0)
            {
                console.Error.WriteLine($"Kernel import failed: {DiagnosticPrinter.Counts(errors, warnings)}.");
                return ExitCodes.Failed;
            }

            int symbols = bundle.Profile.ExportedSymbols?.Count ?? 0;
            console.Error.WriteLine($"Imported kernel '{bundle.Name}' into {Path.GetFullPath(destination)}: {symbols} exported symbols, {bundle.BaseFiles.Count} base files; {DiagnosticPrinter.Counts(errors, warnings)}.");
            console.Error.WriteLine($"Use it with: dotnet osv build --kernel {destination}, or 'kernel: {destination}' in osv.yaml.");
            return ExitCodes.Success;
        });

        return new Command("kernel", "Manage OSv kernel bundles.") { import };
    }
}
