using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Osv.Sdk.Tasks.Compilation;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Diagnostics;

/// <summary>
/// A task that runs gcc or g++ and turns its output into MSBuild errors, warnings and messages with file,
/// line, column and code, so the IDE and the console show them like C# compiler diagnostics.
/// </summary>
/// <remarks>
/// Codes: an error or warning that gcc ties to an option keeps the option as its code (<c>-Wunused-variable</c>,
/// <c>-Werror=format</c>); other compiler errors are OSV7001 and warnings OSV7002; linker errors are
/// OSV7003 (OSV7005 for a library that <c>-l</c> did not find) and linker warnings OSV7004. Notes and the
/// "In function" context lines become messages, and the closing <c>collect2: error: ld returned 1 exit
/// status</c> is logged as an error only when no error came before it.
/// </remarks>
public abstract class GccToolTask : ToolTask
{
    private string? _resolvedTool;

    /// <summary>Creates the task with its message resources.</summary>
    protected GccToolTask()
        : base(Strings.ResourceManager)
    {
    }

    /// <summary>
    /// The project file, which errors that name no source file (such as a missing library) point at.
    /// Ex: <c>$(MSBuildProjectFullPath)</c>.
    /// </summary>
    public string ProjectFile { get; set; } = string.Empty;

    /// <summary>Gets the property users set to choose the program, named in the error when it is not found.</summary>
    private protected abstract string ProgramPropertyName { get; }

    /// <summary>Gets the words that describe the program in errors, for example "C compiler".</summary>
    private protected abstract string ProgramDescription { get; }

    /// <summary>Gets the Debian package that provides the default program.</summary>
    private protected abstract string ProgramPackage { get; }

    /// <summary>Gets the program to run when the user names none (ToolExe), for example <c>gcc</c>.</summary>
    private protected abstract string DefaultProgram { get; }

    /// <inheritdoc/>
    protected override string ToolName => DefaultProgram;

    /// <inheritdoc/>
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Normal;

    /// <inheritdoc/>
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

    /// <inheritdoc/>
    protected override string GenerateFullPathToTool() => _resolvedTool ?? ToolExe;

    /// <inheritdoc/>
    protected override bool ValidateParameters()
    {
        string program = string.IsNullOrWhiteSpace(ToolPath) ? ToolExe : Path.Combine(ToolPath, ToolExe);
        _resolvedTool = ToolLocator.Find(program, Directory.GetCurrentDirectory());
        if (_resolvedTool is null)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.ToolNotFound),
                ProgramDescription, program, ProgramPackage, ProgramPropertyName);
            return false;
        }

        // ToolTask would otherwise combine ToolPath and ToolExe again.
        ToolPath = Path.GetDirectoryName(_resolvedTool);
        ToolExe = Path.GetFileName(_resolvedTool);
        return base.ValidateParameters();
    }

    /// <inheritdoc/>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        GccMessage message = GccOutputParser.Parse(singleLine);
        switch (message.Kind)
        {
            case GccMessageKind.Error:
                LogDiagnostic(message, isError: true);
                break;

            case GccMessageKind.Warning:
                LogDiagnostic(message, isError: false);
                break;

            case GccMessageKind.Note:
                Log.LogMessage(null, null, null, NullIfEmpty(message.File), message.Line, message.Column, 0, 0,
                    MessageImportance.Normal, "note: " + message.Text);
                break;

            case GccMessageKind.Summary when message.FromLinker && !Log.HasLoggedErrors:
                LogFromResource(nameof(Strings.LinkerError), message, isError: true, message.Text);
                break;

            case GccMessageKind.Context or GccMessageKind.Summary:
                Log.LogMessage(MessageImportance.Low, singleLine);
                break;

            default:
                Log.LogMessage(messageImportance, singleLine);
                break;
        }
    }

    /// <inheritdoc/>
    protected override bool HandleTaskExecutionErrors()
    {
        // The parsed output already explains the failure; add a generic error only when it did not.
        if (!Log.HasLoggedErrors)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.ToolFailedWithoutMessage), ToolExe, ExitCode);
        }

        return false;
    }

    // Logs one error or warning with the code the remarks of this class describe.
    private void LogDiagnostic(GccMessage message, bool isError)
    {
        if (message.Option is { } option)
        {
            LogWithCode(option, message, isError, message.Text);
            return;
        }

        if (message.FromLinker && isError && MissingLibrary(message.Text) is { } library)
        {
            LogFromResource(nameof(Strings.LibraryNotFoundAtLink), message, isError, library, message.Text);
            return;
        }

        string resource = (message.FromLinker, isError) switch
        {
            (true, true) => nameof(Strings.LinkerError),
            (true, false) => nameof(Strings.LinkerWarning),
            (false, true) => nameof(Strings.CompilerError),
            (false, false) => nameof(Strings.CompilerWarning),
        };
        LogFromResource(resource, message, isError, message.Text);
    }

    private void LogFromResource(string resource, GccMessage message, bool isError, params object[] arguments)
    {
        string text = Log.FormatResourceString(resource, arguments);
        string? code = Log.ExtractMessageCode(text, out string textWithoutCode);
        LogWithCode(code, message, isError, textWithoutCode);
    }

    private void LogWithCode(string? code, GccMessage message, bool isError, string text)
    {
        // A diagnostic without a file (a linker failure, "gcc: error: ...") points at the project file.
        string file = string.IsNullOrEmpty(message.File) ? ProjectFile : message.File;
        if (isError)
        {
            Log.LogError(null, code, null, file, message.Line, message.Column, 0, 0, text);
        }
        else
        {
            Log.LogWarning(null, code, null, file, message.Line, message.Column, 0, 0, text);
        }
    }

    // Returns NAME from ld's "cannot find -lNAME: No such file or directory", or null.
    private static string? MissingLibrary(string text)
    {
        const string Prefix = "cannot find -l";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        int end = text.IndexOf(':', Prefix.Length);
        return end < 0 ? text[Prefix.Length..] : text[Prefix.Length..end];
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
