using System.Globalization;
using ELFSharp.ELF;
using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;

namespace Osv.ImageBuilder.Tests.Analyse;

/// <summary>Judges the ELF reader by readelf over every ELF file of the host's library folder.</summary>
public class ReadelfComparisonTests
{
    [Fact]
    public void Reader_matches_readelf_on_host_libraries()
    {
        if (!Directory.Exists(HostTools.LibraryFolder) || !HostTools.Exists("readelf"))
        {
            Assert.Skip($"{HostTools.LibraryFolder} or readelf is missing; run .ci/install-prerequisites.");
        }

        List<string> files = HostTools.FindElfFiles(HostTools.LibraryFolder);
        Assert.True(files.Count >= 1000, $"only {files.Count} ELF files under {HostTools.LibraryFolder}; the comparison needs a full Debian library folder");

        Dictionary<string, ReadelfFacts> expected = ReadelfFacts.Collect(files);
        var mismatches = new List<string>();
        foreach (string path in files)
        {
            if (!expected.TryGetValue(path, out ReadelfFacts? facts))
            {
                mismatches.Add($"{path}: readelf printed nothing");
                continue;
            }

            if (!ElfFile.TryRead(path, out ElfFile? file, out Diagnostic? diagnostic))
            {
                mismatches.Add($"{path}: not read: {diagnostic?.Message ?? "not ELF"}");
                continue;
            }

            Compare(path, "e_type", facts.Type, TypeName(file.Type), mismatches);
            Compare(path, "SONAME", facts.Soname, file.Soname, mismatches);
            Compare(path, "NEEDED", string.Join(",", facts.Needed), string.Join(",", file.Needed), mismatches);
            Compare(path, "RPATH", facts.RPath, file.RPath, mismatches);
            Compare(path, "RUNPATH", facts.RunPath, file.RunPath, mismatches);
            Compare(path, "defined symbols", facts.DefinedSymbols.ToString(CultureInfo.InvariantCulture), file.DynamicSymbols.Count(s => s.IsDefined).ToString(CultureInfo.InvariantCulture), mismatches);
            Compare(path, "undefined symbols", facts.UndefinedSymbols.ToString(CultureInfo.InvariantCulture), file.DynamicSymbols.Count(s => !s.IsDefined).ToString(CultureInfo.InvariantCulture), mismatches);
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches over {files.Count} files:\n{string.Join('\n', mismatches.Take(40))}");
    }

    private static void Compare(string path, string field, string? expected, string? actual, List<string> mismatches)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            mismatches.Add($"{path}: {field} is '{actual}', readelf prints '{expected}'");
        }
    }

    // readelf's short names of e_type.
    private static string TypeName(FileType type) => type switch
    {
        FileType.None => "NONE",
        FileType.Relocatable => "REL",
        FileType.Executable => "EXEC",
        FileType.SharedObject => "DYN",
        FileType.Core => "CORE",
        _ => ((ushort)type).ToString(CultureInfo.InvariantCulture),
    };
}
