using System.Diagnostics;
using Microsoft.Build.Utilities;
using Osv.Sdk.Tasks.Diagnostics;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Compilation;

/// <summary>
/// Compiles one C or C++ source into a position-independent object with the host gcc or g++, and has the
/// compiler write the headers it read into a make-style dependency file (<c>-MMD -MF</c>) for the next
/// incremental build. The targets run it once for each stale source.
/// </summary>
public sealed partial class CompileOsvSource : GccToolTask
{
    private OutputKind _kind;

    private SourceLanguage Language =>
        string.Equals(Source?.GetMetadata(SourceLanguages.MetadataName), "Cxx", StringComparison.Ordinal) ? SourceLanguage.Cxx : SourceLanguage.C;

    /// <inheritdoc/>
    private protected override string DefaultProgram => Language == SourceLanguage.Cxx ? CxxCompiler : CCompiler;

    /// <inheritdoc/>
    private protected override string ProgramPropertyName => Language == SourceLanguage.Cxx ? "OsvCxxCompiler" : "OsvCCompiler";

    /// <inheritdoc/>
    private protected override string ProgramDescription => Language == SourceLanguage.Cxx ? "C++ compiler" : "C compiler";

    /// <inheritdoc/>
    private protected override string ProgramPackage => Language == SourceLanguage.Cxx ? "g++" : "gcc";

    /// <inheritdoc/>
    public override bool Execute()
    {
        Debug.Assert(Source is not null, "MSBuild sets required parameters before Execute.");
        if (!OutputKinds.TryParse(OutputKind, out _kind))
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.UnknownOutputKind), OutputKind);
            return false;
        }

        // A failed compile must not leave the previous object behind looking up to date, because gcc
        // does not delete it.
        string objectFile = Source.GetMetadata("ObjectFile");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(objectFile)!);
            File.Delete(objectFile);
            File.Delete(Source.GetMetadata("DependencyFile"));
            File.Delete(ItemOptionsFile.PathFor(objectFile));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.OutputNotWritable), objectFile, exception.Message);
            return false;
        }

        if (!base.Execute())
        {
            return false;
        }

        // Recorded only after a successful compile, so a failed one stays stale.
        try
        {
            File.WriteAllText(ItemOptionsFile.PathFor(objectFile), ItemOptionsFile.ContentFor(Source));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.OutputNotWritable), ItemOptionsFile.PathFor(objectFile), exception.Message);
            return false;
        }

        return true;
    }

    /// <inheritdoc/>
    protected override string GenerateCommandLineCommands()
    {
        Debug.Assert(Source is not null, "MSBuild sets required parameters before Execute.");
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendSwitch("-c");
        builder.AppendSwitch(_kind == Compilation.OutputKind.Pie ? "-fPIE" : "-fPIC");
        builder.AppendSwitch("-MMD");
        builder.AppendSwitchIfNotNull("-MF ", Source.GetMetadata("DependencyFile"));
        AppendRaw(builder, DiagnosticFlags);
        AppendRaw(builder, CompileFlags);
        AppendRaw(builder, Language == SourceLanguage.Cxx ? CxxFlags : CFlags);

        foreach (string definition in DefineConstants.Where(d => !string.IsNullOrWhiteSpace(d)))
        {
            builder.AppendSwitchIfNotNull("-D", definition.Trim());
        }

        foreach (string folder in IncludePaths.Where(f => !string.IsNullOrWhiteSpace(f)))
        {
            builder.AppendSwitchIfNotNull("-I", folder.Trim());
        }

        foreach (string folder in SystemIncludePaths.Where(f => !string.IsNullOrWhiteSpace(f)))
        {
            builder.AppendSwitchIfNotNull("-isystem ", folder.Trim());
        }

        AppendRaw(builder, Source.GetMetadata("AdditionalOptions"));
        builder.AppendSwitchIfNotNull("-o ", Source.GetMetadata("ObjectFile"));
        builder.AppendFileNameIfNotNull(Source.GetMetadata("FullPath"));
        return builder.ToString();
    }

    // Flags properties are passed as the user wrote them, so quoting inside them works as on a command line.
    private static void AppendRaw(CommandLineBuilder builder, string flags)
    {
        if (!string.IsNullOrWhiteSpace(flags))
        {
            builder.AppendTextUnquoted(" " + flags.Trim());
        }
    }
}
