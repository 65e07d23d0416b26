namespace Osv.Manifests.Parse;

/// <summary>One decoded line of a manifest, without its line break.</summary>
/// <param name="Number">The 1-based line number.</param>
/// <param name="Text">The line's text.</param>
internal readonly record struct ManifestLine(int Number, string Text);
