namespace Osv.Manifests.Project;

/// <summary>The JSON Schema (draft 2020-12) of osv.yaml, embedded in this assembly, for editors and tools.</summary>
public static class OsvProjectSchema
{
    /// <summary>The manifest resource name of the schema.</summary>
    public const string ResourceName = "Osv.Manifests.osv.schema.json";

    /// <summary>Returns the schema's JSON text.</summary>
    /// <exception cref="InvalidOperationException">The assembly was built without the schema resource.</exception>
    public static string ReadText()
    {
        using Stream stream = typeof(OsvProjectSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The assembly has no resource '{ResourceName}'; build it with Project/osv.schema.json present.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
