using Microsoft.Build.Utilities;
using Osv.Sdk.Tasks.Diagnostics;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Compilation;

/// <summary>
/// Links the objects into the shared object (<c>-shared</c>) or position-independent executable
/// (<c>-pie</c>) that goes into the image, with gcc as the driver, or g++ when there are C++ sources.
/// </summary>
public sealed partial class LinkOsvObjects : GccToolTask
{
    private OutputKind _kind;

    /// <inheritdoc/>
    private protected override string DefaultProgram => HasCxxSources ? CxxCompiler : CCompiler;

    /// <inheritdoc/>
    private protected override string ProgramPropertyName => HasCxxSources ? "OsvCxxCompiler" : "OsvCCompiler";

    /// <inheritdoc/>
    private protected override string ProgramDescription => "linker driver";

    /// <inheritdoc/>
    private protected override string ProgramPackage => HasCxxSources ? "g++" : "gcc";

    /// <inheritdoc/>
    public override bool Execute()
    {
        if (!OutputKinds.TryParse(OutputKind, out _kind))
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.UnknownOutputKind), OutputKind);
            return false;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile))!);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.OutputNotWritable), OutputFile, exception.Message);
            return false;
        }
        return base.Execute();
    }

    /// <inheritdoc/>
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendSwitch(_kind == Compilation.OutputKind.Pie ? "-pie" : "-shared");
        if (!string.IsNullOrWhiteSpace(DiagnosticFlags))
        {
            builder.AppendTextUnquoted(" " + DiagnosticFlags.Trim());
        }

        builder.AppendSwitchIfNotNull("-o ", OutputFile);
        builder.AppendFileNamesIfNotNull(ObjectFiles, " ");
        foreach (string folder in LibraryPaths.Where(f => !string.IsNullOrWhiteSpace(f)))
        {
            builder.AppendSwitchIfNotNull("-L", folder.Trim());
        }

        // Libraries come after the objects, because ld resolves an archive only against what precedes it.
        foreach (string library in Libraries.Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            if (IsLibraryFile(library))
            {
                builder.AppendFileNameIfNotNull(library);
            }
            else
            {
                builder.AppendSwitchIfNotNull("-l", library);
            }
        }

        if (!string.IsNullOrWhiteSpace(LinkFlags))
        {
            builder.AppendTextUnquoted(" " + LinkFlags.Trim());
        }

        return builder.ToString();
    }

    private static bool IsLibraryFile(string library) =>
        library.Contains('/', StringComparison.Ordinal) ||
        library.EndsWith(".a", StringComparison.Ordinal) ||
        library.EndsWith(".so", StringComparison.Ordinal) ||
        library.Contains(".so.", StringComparison.Ordinal);
}
