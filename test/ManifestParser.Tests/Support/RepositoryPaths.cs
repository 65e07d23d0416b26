namespace Osv.ManifestParser.Tests.Support;

/// <summary>Finds the repository root and the shared folder beside it.</summary>
internal static class RepositoryPaths
{
    /// <summary>Returns the folder that contains OsvImageTools.slnx, found upwards from the test binaries.</summary>
    public static string? FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OsvImageTools.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>Returns the corpus folder of real OSv manifests beside the repository, or null when it is absent.</summary>
    public static string? FindCorpus()
    {
        string? root = FindRoot();
        string? parent = root is null ? null : Path.GetDirectoryName(root);
        if (parent is null)
        {
            return null;
        }

        string corpus = Path.Combine(parent, "shared", "corpus");
        return Directory.Exists(corpus) ? corpus : null;
    }
}
