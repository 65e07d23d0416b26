using Osv.Diagnostics;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Reads each host file at most once during one analysis and keeps its facts, or the reason it could
/// not be read, so the closure, the simulation and the checks share one view of every file.
/// </summary>
internal sealed class ElfCatalog
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>One host file: its facts, or the OSV2001 finding, or neither when it is not ELF.</summary>
    internal readonly record struct Entry(ElfFile? File, Diagnostic? Error)
    {
        public bool IsElf => File is not null || Error is not null;
    }

    /// <summary>
    /// Reads every file of <paramref name="hostPaths"/> that is not read yet, on all processors. The
    /// analysis reads every file of the plan, and with thousands of small files most of the time goes
    /// into opening them, so the reads run side by side instead of one after another.
    /// </summary>
    public void ReadAll(IEnumerable<string> hostPaths)
    {
        string[] pending = hostPaths.Where(p => !_entries.ContainsKey(p)).Distinct(StringComparer.Ordinal).ToArray();
        var read = new Entry[pending.Length];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, pending.Length, options, i =>
        {
            ElfFile.TryRead(pending[i], out ElfFile? file, out Diagnostic? error);
            read[i] = new Entry(file, error);
        });

        for (int i = 0; i < pending.Length; i++)
        {
            _entries.Add(pending[i], read[i]);
        }
    }

    /// <summary>Returns the entry of <paramref name="hostPath"/>, reading the file on first use.</summary>
    public Entry Get(string hostPath)
    {
        if (!_entries.TryGetValue(hostPath, out Entry entry))
        {
            ElfFile.TryRead(hostPath, out ElfFile? file, out Diagnostic? error);
            entry = new Entry(file, error);
            _entries.Add(hostPath, entry);
        }

        return entry;
    }
}
