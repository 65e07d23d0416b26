namespace Osv.Manifests.Parse;

/// <summary>
/// Maps an index in a line after text replacements back to the index in the line as written, so that
/// diagnostics point at the manifest file and not at the composed text.
/// </summary>
internal sealed class ColumnMap
{
    // One list of replaced spans for each replacement pass, in the order the passes ran. Within a pass
    // the spans are in composed coordinates of that pass, increasing and not overlapping.
    private readonly List<List<(int ComposedStart, int ComposedEnd, int OriginalStart, int OriginalEnd)>> _passes = [];

    /// <summary>Starts the spans of a new replacement pass over the output of the previous one.</summary>
    public void BeginPass() => _passes.Add([]);

    /// <summary>Records that [composedStart, composedStart + newLength) replaced [originalStart, originalEnd) of the pass's input.</summary>
    public void AddReplacement(int composedStart, int newLength, int originalStart, int originalEnd)
    {
        if (_passes.Count == 0)
        {
            BeginPass();
        }

        _passes[^1].Add((composedStart, composedStart + newLength, originalStart, originalEnd));
    }

    /// <summary>Returns the original index of composed <paramref name="index"/>; an index inside a replacement maps to its start.</summary>
    public int ToOriginal(int index)
    {
        for (int pass = _passes.Count - 1; pass >= 0; pass--)
        {
            index = MapPass(_passes[pass], index);
        }

        return index;
    }

    private static int MapPass(List<(int ComposedStart, int ComposedEnd, int OriginalStart, int OriginalEnd)> spans, int index)
    {
        int shift = 0;
        foreach ((int composedStart, int composedEnd, int originalStart, int originalEnd) in spans)
        {
            if (index < composedStart)
            {
                break;
            }

            if (index < composedEnd)
            {
                return originalStart;
            }

            shift = originalEnd - composedEnd;
        }

        return index + shift;
    }
}
