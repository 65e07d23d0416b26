using Osv.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Osv.Manifests.Project;

/// <summary>
/// Reads typed values from YamlDotNet's representation model and reports wrong types, unknown keys and
/// missing values with the node's line and column. Scalars follow the YAML 1.2 core schema: a plain
/// <c>~</c>, <c>null</c> or empty value is null, a plain <c>true</c> or <c>false</c> is a boolean.
/// </summary>
internal sealed class YamlValueReader
{
    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;

    public YamlValueReader(string file, DiagnosticBag diagnostics)
    {
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>Gets whether this reader reported an error.</summary>
    public bool HasErrors { get; private set; }

    public SourceLocation Locate(YamlNode node) => new(_file, (int)node.Start.Line, (int)node.Start.Column);

    public void Error(string code, string message, YamlNode node)
    {
        HasErrors = true;
        _diagnostics.Error(code, message, Locate(node));
    }

    /// <summary>
    /// Returns the entries of a mapping in document order, or null after reporting that the node is not a
    /// mapping. Keys outside <paramref name="known"/> are reported as the sequence reaches them, so the
    /// diagnostics of a file come in document order.
    /// </summary>
    public IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)>? ReadMapping(YamlNode node, IReadOnlyList<string> known, string what)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(ProjectCodes.WrongType, $"{Capitalize(what)} must be a mapping of keys ({string.Join(", ", known)}), not {Describe(node)}.", node);
            return null;
        }

        return KnownEntries(mapping, known, what);
    }

    private IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> KnownEntries(YamlMappingNode mapping, IReadOnlyList<string> known, string what)
    {
        foreach ((YamlNode keyNode, YamlNode value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(ProjectCodes.WrongType, $"A key of {what} must be a plain name, not {Describe(keyNode)}.", keyNode);
                continue;
            }

            if (!known.Contains(key))
            {
                string? closest = ClosestKey(key, known);
                string hint = closest is null ? $"the keys are {string.Join(", ", known)}" : $"did you mean '{closest}'?";
                Error(ProjectCodes.UnknownKey, $"'{key}' is not a key of {what}; {hint}", keyNode);
                continue;
            }

            yield return (key, keyNode, value);
        }
    }

    /// <summary>Returns whether the node is a null scalar (<c>~</c>, <c>null</c>, or nothing).</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>Returns the text of a non-null scalar, or null after reporting the wrong type.</summary>
    public string? ReadString(YamlNode node, string what)
    {
        if (node is YamlScalarNode scalar && !IsNull(node))
        {
            return scalar.Value ?? string.Empty;
        }

        Error(IsNull(node) ? ProjectCodes.MissingValue : ProjectCodes.WrongType,
            IsNull(node) ? $"{Capitalize(what)} has no value; give a value or remove the key." : $"{Capitalize(what)} must be a string, not {Describe(node)}.",
            node);
        return null;
    }

    /// <summary>Returns a boolean scalar, or null after reporting the wrong type.</summary>
    public bool? ReadBool(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        Error(ProjectCodes.WrongType, $"{Capitalize(what)} must be true or false, not {Describe(node)}.", node);
        return null;
    }

    /// <summary>Returns the strings of a sequence with their nodes, or null after reporting the wrong type.</summary>
    public List<(string Value, YamlNode Node)>? ReadStringList(YamlNode node, string what)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(ProjectCodes.WrongType, $"{Capitalize(what)} must be a list of strings, not {Describe(node)}.", node);
            return null;
        }

        var values = new List<(string, YamlNode)>();
        foreach (YamlNode item in sequence.Children)
        {
            if (ReadString(item, $"an item of {what}") is { } value)
            {
                values.Add((value, item));
            }
        }

        return values;
    }

    /// <summary>Returns the pairs of a mapping of scalars, in document order, or null after reporting the wrong type.</summary>
    public List<(string Key, string Value, YamlNode KeyNode)>? ReadStringMap(YamlNode node, string what)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(ProjectCodes.WrongType, $"{Capitalize(what)} must be a mapping of names to strings, not {Describe(node)}.", node);
            return null;
        }

        var pairs = new List<(string, string, YamlNode)>();
        foreach ((YamlNode keyNode, YamlNode valueNode) in mapping.Children)
        {
            string? key = ReadString(keyNode, $"a key of {what}");
            string? value = ReadString(valueNode, $"the value of '{key}' in {what}");
            if (key is not null && value is not null)
            {
                pairs.Add((key, value, keyNode));
            }
        }

        return pairs;
    }

    /// <summary>Names the kind of a node for messages: "a list", "a mapping", "null", "the string 'x'".</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ when IsNull(node) => "an empty value",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "an alias",
    };

    /// <summary>
    /// Returns the known key closest to <paramref name="key"/> when it is close enough to be a typo: within
    /// an edit distance of a third of its length (at least 2), or sharing its first four characters.
    /// Case and '-' in place of '_' are ignored.
    /// </summary>
    public static string? ClosestKey(string key, IReadOnlyList<string> known)
    {
        string normalized = key.ToLowerInvariant().Replace('-', '_');
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int distance = EditDistance(normalized, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        if (best is not null && bestDistance <= Math.Max(2, normalized.Length / 3))
        {
            return best;
        }

        const int SharedPrefix = 4;
        string[] prefixed = normalized.Length < SharedPrefix
            ? []
            : known.Where(candidate => candidate.StartsWith(normalized[..SharedPrefix], StringComparison.Ordinal)).ToArray();
        return prefixed.Length == 1 ? prefixed[0] : null;
    }

    // Levenshtein distance with two rows.
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
