namespace Osv.Sdk.Tasks.Compilation;

/// <summary>The language a <c>Compile</c> item is compiled as, which selects gcc or g++.</summary>
internal enum SourceLanguage
{
    /// <summary>C, compiled with the C compiler (gcc).</summary>
    C,

    /// <summary>C++, compiled with the C++ compiler (g++).</summary>
    Cxx,
}

/// <summary>Finds the language of a source from its <c>Language</c> metadata or its extension.</summary>
internal static class SourceLanguages
{
    /// <summary>The item metadata that overrides the language chosen from the extension.</summary>
    public const string MetadataName = "Language";

    /// <summary>Returns the language of a source, or null when neither the metadata nor the extension names one.</summary>
    /// <param name="path">The source path.</param>
    /// <param name="languageMetadata">The item's <c>Language</c> metadata, or an empty string.</param>
    public static SourceLanguage? Find(string path, string languageMetadata)
    {
        switch (languageMetadata.Trim().ToUpperInvariant())
        {
            case "C":
                return SourceLanguage.C;
            case "C++" or "CXX" or "CPP":
                return SourceLanguage.Cxx;
        }

        // gcc's own rules (gcc(1), "-x language"): .C is C++ and .c is C, so the comparison is ordinal.
        return Path.GetExtension(path) switch
        {
            ".c" => SourceLanguage.C,
            ".cc" or ".cp" or ".cpp" or ".cxx" or ".c++" or ".C" or ".CPP" => SourceLanguage.Cxx,
            _ => null,
        };
    }
}
