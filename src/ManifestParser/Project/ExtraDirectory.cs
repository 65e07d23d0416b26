using Osv.Diagnostics;

namespace Osv.Manifests.Project;

/// <summary>An empty guest directory osv.yaml's <c>directories</c> key adds to the image.</summary>
/// <param name="GuestPath">The absolute guest path, normalised.</param>
/// <param name="Location">Where osv.yaml names the directory.</param>
public sealed record ExtraDirectory(string GuestPath, SourceLocation Location);
