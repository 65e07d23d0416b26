using System.Globalization;

namespace Osv.ImageBuilder.Tests.Analyse;

/// <summary>What <c>readelf -h -d --dyn-syms -W</c> prints about one file, reduced to the facts the reader must match.</summary>
internal sealed class ReadelfFacts
{
    public string Type { get; set; } = string.Empty;
    public string? Soname { get; set; }
    public List<string> Needed { get; } = [];
    public string? RPath { get; set; }
    public string? RunPath { get; set; }
    public int DefinedSymbols { get; set; }
    public int UndefinedSymbols { get; set; }

    /// <summary>Runs readelf over <paramref name="files"/> in batches, two processes at a time, and parses its output per file.</summary>
    public static Dictionary<string, ReadelfFacts> Collect(IReadOnlyList<string> files, int batchSize = 400)
    {
        var batches = files.Chunk(batchSize).ToArray();
        var outputs = new string[batches.Length];
        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            (_, string output, _) = HostTools.Run("readelf", ["-h", "-d", "--dyn-syms", "-W", .. batches[i]], timeout: TimeSpan.FromMinutes(3));
            outputs[i] = output;
        });

        var facts = new Dictionary<string, ReadelfFacts>(StringComparer.Ordinal);
        for (int i = 0; i < batches.Length; i++)
        {
            Parse(outputs[i], batches[i].Length == 1 ? batches[i][0] : null, facts);
        }

        return facts;
    }

    // readelf starts each file's block with "File: PATH" when it is given several files.
    private static void Parse(string output, string? singleFile, Dictionary<string, ReadelfFacts> facts)
    {
        ReadelfFacts? current = singleFile is null ? null : facts[singleFile] = new ReadelfFacts();
        bool inSymbols = false;
        foreach (string line in output.Split('\n'))
        {
            if (line.StartsWith("File: ", StringComparison.Ordinal))
            {
                current = facts[line["File: ".Length..].TrimEnd()] = new ReadelfFacts();
                inSymbols = false;
                continue;
            }

            if (current is null)
            {
                continue;
            }

            string trimmed = line.Trim();
            if (trimmed.StartsWith("Type:", StringComparison.Ordinal))
            {
                current.Type = trimmed["Type:".Length..].Trim().Split(' ')[0];
            }
            else if (trimmed.Contains("(NEEDED)", StringComparison.Ordinal))
            {
                current.Needed.Add(Bracketed(trimmed));
            }
            else if (trimmed.Contains("(SONAME)", StringComparison.Ordinal))
            {
                current.Soname ??= Bracketed(trimmed);
            }
            else if (trimmed.Contains("(RPATH)", StringComparison.Ordinal))
            {
                current.RPath ??= Bracketed(trimmed);
            }
            else if (trimmed.Contains("(RUNPATH)", StringComparison.Ordinal))
            {
                current.RunPath ??= Bracketed(trimmed);
            }
            else if (trimmed.StartsWith("Symbol table '.dynsym'", StringComparison.Ordinal))
            {
                inSymbols = true;
            }
            else if (trimmed.Length == 0 || trimmed.StartsWith("Symbol table", StringComparison.Ordinal))
            {
                inSymbols = false;
            }
            else if (inSymbols)
            {
                CountSymbol(trimmed, current);
            }
        }
    }

    // A symbol line: "Num: Value Size Type Bind Vis [other] Ndx Name"; entry 0 is the null symbol.
    private static void CountSymbol(string line, ReadelfFacts facts)
    {
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 7 || !fields[0].EndsWith(':') || !int.TryParse(fields[0][..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index == 0)
        {
            return;
        }

        int ndx = 6;
        if (fields[ndx].StartsWith('['))
        {
            while (ndx < fields.Length && !fields[ndx].EndsWith(']'))
            {
                ndx++;
            }

            ndx++;
        }

        if (ndx < fields.Length && fields[ndx] == "UND")
        {
            facts.UndefinedSymbols++;
        }
        else
        {
            facts.DefinedSymbols++;
        }
    }

    // Takes the text between the first '[' and the last ']' of a dynamic entry line.
    private static string Bracketed(string line)
    {
        int start = line.IndexOf('[', StringComparison.Ordinal);
        int end = line.LastIndexOf(']');
        return start >= 0 && end > start ? line[(start + 1)..end] : string.Empty;
    }
}
