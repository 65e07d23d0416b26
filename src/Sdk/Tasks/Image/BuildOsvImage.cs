using System.Globalization;
using Microsoft.Build.Framework;
using Osv.ImageBuilder;
using Osv.ImageBuilder.Build;
using Osv.Sdk.Tasks.Diagnostics;
using Osv.Sdk.Tasks.Resources;

namespace Osv.Sdk.Tasks.Image;

/// <summary>
/// Builds the image in-process with <see cref="ImageBuild"/>, the pipeline <c>dotnet osv build</c> runs:
/// the generated osv.yaml is loaded, expanded, checked (ELF analysis with the kernel's profile) and written
/// as a disk image with its report, SBOM and dependency file. Findings become MSBuild errors and warnings
/// with their OSVxxxx codes.
/// </summary>
public sealed partial class BuildOsvImage : Microsoft.Build.Utilities.Task, ICancelableTask
{
    // Cancels the image build that Execute is running; null outside Execute.
    private volatile Action? _cancel;

    /// <summary>Creates the task with its message resources.</summary>
    public BuildOsvImage()
        : base(Strings.ResourceManager)
    {
    }

    /// <summary>Stops the image build; a stopped build leaves no partial image.</summary>
    public void Cancel() => _cancel?.Invoke();

    /// <inheritdoc/>
    public override bool Execute()
    {
        if (!long.TryParse(SourceDateEpoch, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch))
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.InvalidSourceDateEpoch), SourceDateEpoch);
            return false;
        }

        using var cancellation = new CancellationTokenSource();
        _cancel = cancellation.Cancel;
        try
        {
            return BuildImage(epoch, cancellation.Token);
        }
        finally
        {
            _cancel = null;
        }
    }

    // Runs the image build and logs its findings.
    private bool BuildImage(long epoch, CancellationToken cancellationToken)
    {
        string projectDirectory = Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!;
        var request = new ImageBuildRequest
        {
            ProjectPath = Path.GetFullPath(OsvProjectFile, projectDirectory),
            OutputDirectory = Path.GetFullPath(OutputDirectory, projectDirectory),
            ImageName = ImageName,
            SourceDateEpoch = epoch,
            WriteReport = WriteReport,
            WriteSbom = WriteSbom,
            WriteDependencyFile = true,
            CancellationToken = cancellationToken,
        };

        ImageBuildResult result;
        try
        {
            result = ImageBuild.Run(request);
        }
        catch (OperationCanceledException)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.ImageBuildCanceled));
            return false;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidImageException)
        {
            Log.LogErrorWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.ImageBuildFailed), exception.Message);
            return false;
        }

        string[] outputs = LinkedFile.Length > 0 ? [Path.GetFullPath(LinkedFile, projectDirectory)] : [];
        new DiagnosticLogger(Log, ProjectFile, request.ProjectPath, outputs).LogAll(result.Diagnostics);
        if (!result.Succeeded || result.ImagePath is null)
        {
            return false;
        }

        ImagePath = result.ImagePath;
        ReportPath = result.ReportPath ?? string.Empty;
        SbomPath = result.SbomPath ?? string.Empty;
        DependencyFilePath = result.DependencyFilePath ?? string.Empty;
        Log.LogMessageFromResources(MessageImportance.High, nameof(Strings.ImageWritten), ImagePath, result.FileCount, result.ImageSize);

        WarnWhenElsewhere(ImagePath, ExpectedImagePath, "OsvImagePath", projectDirectory);
        WarnWhenElsewhere(DependencyFilePath, ExpectedDependencyFile, "OsvImageDependencyFile", projectDirectory);

        return !Log.HasLoggedErrors;
    }

    // The targets compare the image and the dependency file at the paths they expect. A mismatch would
    // rebuild the image on every build, so it gets a warning that names the property to set.
    private void WarnWhenElsewhere(string actual, string expected, string property, string projectDirectory)
    {
        if (actual.Length > 0 && expected.Length > 0 &&
            !string.Equals(Path.GetFullPath(expected, projectDirectory), Path.GetFullPath(actual), StringComparison.Ordinal))
        {
            Log.LogWarningWithCodeFromResources(null, ProjectFile, 0, 0, 0, 0, nameof(Strings.UnexpectedImagePath), actual, expected, property);
        }
    }
}
