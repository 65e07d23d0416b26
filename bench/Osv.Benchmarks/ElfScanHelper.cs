using System.Globalization;
using System.Runtime;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;

namespace Osv.Benchmarks;

/// <summary>
/// The process that <see cref="ElfScanBenchmark"/> times: <c>Osv.Benchmarks --elf-scan-helper MODE LIST</c>
/// reads every file named in LIST (one path a line) and extracts the ELF facts, then prints one summary
/// line so the work cannot be skipped. MODE is <c>osv</c> (this project's reader) or <c>elfsharp</c>
/// (ELFSharp's ELFReader, for comparison).
/// </summary>
internal static class ElfScanHelper
{
    /// <summary>The first argument that selects this mode.</summary>
    public const string Switch = "--elf-scan-helper";

    /// <summary>Runs the scan; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine($"usage: Osv.Benchmarks {Switch} osv|elfsharp LIST");
            return 2;
        }

        // Without background collections the heap size no longer depends on how the scheduler of a
        // busy machine delays the GC thread, so the peak RSS reflects what the scan keeps alive.
        GCSettings.LatencyMode = GCLatencyMode.Batch;

        string[] paths = File.ReadAllLines(args[2]);
        (long files, long symbols, long needed, long versions, long failures) = args[1] switch
        {
            "osv" => ScanWithProjectReader(paths),
            "elfsharp" => ScanWithElfSharp(paths),
            _ => (-1, 0, 0, 0, 0),
        };
        if (files < 0)
        {
            Console.Error.WriteLine($"unknown mode '{args[1]}'; use osv or elfsharp");
            return 2;
        }

        // What stays reachable after a full collection shows whether anything is kept per file.
        long retained = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"files={files} symbols={symbols} needed={needed} versions={versions} failures={failures} retained-after-gc={retained / 1024} KiB"));
        return 0;
    }

    // Header, dynamic section, dynamic symbols and their versions, as the analysis reads them.
    private static (long, long, long, long, long) ScanWithProjectReader(string[] paths)
    {
        long files = 0, symbols = 0, needed = 0, versions = 0, failures = 0;
        foreach (string path in paths)
        {
            if (!ElfFile.TryRead(path, out ElfFile? file, out Diagnostic? _))
            {
                failures++;
                continue;
            }

            files++;
            symbols += file.DynamicSymbols.Count;
            needed += file.Needed.Count;
            versions += file.VersionDefinitions.Count + file.VersionRequirements.Sum(r => r.Versions.Count);
        }

        return (files, symbols, needed, versions, failures);
    }

    // ELFSharp parses every section when it opens a file; the dynamic entries and .dynsym are then in memory.
    // It has no model of the version sections, so this mode does less work than the other.
    private static (long, long, long, long, long) ScanWithElfSharp(string[] paths)
    {
        long files = 0, symbols = 0, needed = 0, failures = 0;
        foreach (string path in paths)
        {
            try
            {
                using IELF elf = ELFReader.Load(path);
                files++;
                foreach (IDynamicSection dynamic in elf.GetSections<IDynamicSection>())
                {
                    needed += dynamic.Entries.Count(e => e.Tag == DynamicTag.Needed);
                }

                foreach (ISymbolTable table in elf.GetSections<ISymbolTable>().Where(t => t.Type == SectionType.DynamicSymbolTable))
                {
                    symbols += table.Entries.Count();
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or OverflowException or IndexOutOfRangeException or KeyNotFoundException)
            {
                failures++;
            }
        }

        return (files, symbols, needed, 0, failures);
    }
}
