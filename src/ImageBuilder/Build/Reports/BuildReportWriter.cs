using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Osv.ImageBuilder.Build.Reports;

/// <summary>Serializes a <see cref="BuildReport"/> as indented UTF-8 JSON with camelCase names and no null members.</summary>
public static class BuildReportWriter
{
    /// <summary>Gets the serializer settings used for reports, so that readers can use the same ones.</summary>
    /// <remarks>The relaxed encoder keeps quotes and non-ASCII paths readable; the report is a file, never HTML.</remarks>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // The source-generated serializer avoids the reflection warm-up, which costs a short build a
    // noticeable part of its run time; it uses the same settings as Options.
    private static readonly BuildReportJsonContext Context = new(new JsonSerializerOptions(Options));

    /// <summary>Writes <paramref name="report"/> to <paramref name="destination"/>.</summary>
    public static void Write(BuildReport report, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(destination);
        JsonSerializer.Serialize(destination, report, Context.BuildReport);
    }

    /// <summary>Returns <paramref name="report"/> as a JSON string.</summary>
    public static string ToJson(BuildReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(report, Context.BuildReport);
    }
}

/// <summary>The source-generated serializer of <see cref="BuildReport"/>.</summary>
[JsonSerializable(typeof(BuildReport))]
internal sealed partial class BuildReportJsonContext : JsonSerializerContext;
