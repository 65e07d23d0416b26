namespace Osv.ImageBuilder.Tests.FileSystems;

/// <summary>
/// The approved outputs of OSv's scripts, checked in under FileSystems/Approved so the comparisons run
/// without an OSv checkout. To regenerate them, run the tests with OSV_SRC set to an OSv source folder
/// and OSV_UPDATE_APPROVED=1; each comparison then copies the script's output over the approved file.
/// </summary>
internal static class ApprovedFiles
{
    /// <summary>Gets whether the approved files are being regenerated in this run.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable("OSV_UPDATE_APPROVED") == "1";

    /// <summary>Returns the path of the approved file for a tree and a format, such as <c>deep.rofs</c>.</summary>
    public static string PathOf(string tree, string extension) =>
        Path.Combine(RepositoryRoot(), "test", "ImageBuilder.Tests", "FileSystems", "Approved", $"{tree}.{extension}");

    // Finds the folder that contains the solution, from the test assembly's folder upwards.
    private static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "OsvImageTools.slnx")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("The repository root (OsvImageTools.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
