using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Osv.Diagnostics;
using Osv.Manifests.Project;
using YamlDotNet.RepresentationModel;

namespace Osv.ManifestParser.Tests.Project;

public partial class OsvSchemaTests
{
    private static readonly Lazy<JsonSchema> s_schema = new(() => JsonSchema.FromText(OsvProjectSchema.ReadText()));

    private static string SamplesFolder => Path.Combine(AppContext.BaseDirectory, "Project", "Samples");

    public static TheoryData<string> ValidSamples() => Samples("valid");

    public static TheoryData<string> InvalidSamples() => Samples("invalid");

    [Theory]
    [MemberData(nameof(ValidSamples))]
    public void Valid_sample_passes_schema(string name)
    {
        EvaluationResults results = Evaluate(Path.Combine(SamplesFolder, "valid", name));

        Assert.True(results.IsValid, Describe(results));
    }

    [Theory]
    [MemberData(nameof(ValidSamples))]
    public void Valid_sample_loads(string name)
    {
        var diagnostics = new DiagnosticBag();

        OsvProject? project = OsvProjectLoader.Load(Path.Combine(SamplesFolder, "valid", name), diagnostics);

        Assert.Empty(diagnostics);
        Assert.NotNull(project);
    }

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public void Invalid_sample_fails_schema(string name)
    {
        EvaluationResults results = Evaluate(Path.Combine(SamplesFolder, "invalid", name));

        Assert.False(results.IsValid);
    }

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public void Invalid_sample_fails_loader(string name)
    {
        var diagnostics = new DiagnosticBag();

        OsvProject? project = OsvProjectLoader.Load(Path.Combine(SamplesFolder, "invalid", name), diagnostics);

        Assert.Null(project);
        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Location!.Value.Line > 0);
    }

    [Fact]
    public void Schema_root_keys_match_loader()
    {
        JsonObject properties = SchemaNode()["properties"]!.AsObject();

        Assert.Equal(ProjectKeys.Root.Order(), properties.Select(p => p.Key).Order());
    }

    [Fact]
    public void Schema_image_keys_match_loader()
    {
        JsonObject properties = SchemaNode()["properties"]!["image"]!["properties"]!.AsObject();

        Assert.Equal(ProjectKeys.ImageMapping.Order(), properties.Select(p => p.Key).Order());
    }

    [Fact]
    public void Schema_command_keys_match_loader()
    {
        JsonObject properties = SchemaNode()["properties"]!["command"]!["properties"]!.AsObject();

        Assert.Equal(ProjectKeys.CommandMapping.Order(), properties.Select(p => p.Key).Order());
    }

    [Fact]
    public void Schema_manifest_keys_match_loader()
    {
        JsonNode item = SchemaNode()["properties"]!["manifests"]!["items"]!["oneOf"]!.AsArray().Single(node => node!["type"]!.GetValue<string>() == "object")!;

        Assert.Equal(ProjectKeys.ManifestMapping.Order(), item["properties"]!.AsObject().Select(p => p.Key).Order());
    }

    [Fact]
    public void Schema_closes_every_mapping()
    {
        JsonNode root = SchemaNode();
        JsonNode manifestItem = root["properties"]!["manifests"]!["items"]!["oneOf"]![1]!;

        Assert.False(root["additionalProperties"]!.GetValue<bool>());
        Assert.False(root["properties"]!["image"]!["additionalProperties"]!.GetValue<bool>());
        Assert.False(root["properties"]!["command"]!["additionalProperties"]!.GetValue<bool>());
        Assert.False(manifestItem["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public void Schema_documents_every_key()
    {
        var missing = new List<string>();
        CollectUndocumented(SchemaNode()["properties"]!.AsObject(), string.Empty, missing);

        Assert.Empty(missing);
    }

    private static void CollectUndocumented(JsonObject properties, string prefix, List<string> missing)
    {
        foreach ((string key, JsonNode? value) in properties)
        {
            if (value?["description"] is null)
            {
                missing.Add(prefix + key);
            }

            if (value?["properties"] is JsonObject nested)
            {
                CollectUndocumented(nested, prefix + key + ".", missing);
            }
        }
    }

    private static JsonNode SchemaNode() => JsonNode.Parse(OsvProjectSchema.ReadText())!;

    private static TheoryData<string> Samples(string kind)
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(SamplesFolder, kind), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    private static EvaluationResults Evaluate(string yamlFile)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(yamlFile)));
        JsonNode? json = ToJson(stream.Documents[0].RootNode);
        using JsonDocument document = JsonDocument.Parse(json?.ToJsonString() ?? "null");
        return s_schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    // Converts YAML to JSON with the YAML 1.2 core schema for plain scalars, as an editor's validator does.
    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach ((YamlNode key, YamlNode value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value!] = ToJson(value);
                }

                return obj;

            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (YamlNode item in sequence.Children)
                {
                    array.Add(ToJson(item));
                }

                return array;

            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar:
                string text = scalar.Value ?? string.Empty;
                if (text is "" or "~" or "null" or "Null" or "NULL")
                {
                    return null;
                }

                if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
                {
                    return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
                }

                if (IntegerPattern().IsMatch(text))
                {
                    return JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture));
                }

                if (FloatPattern().IsMatch(text))
                {
                    return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
                }

                return JsonValue.Create(text);

            case YamlScalarNode quoted:
                return JsonValue.Create(quoted.Value);

            default:
                throw new NotSupportedException(node.GetType().Name);
        }
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
