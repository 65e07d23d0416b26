using Osv.Diagnostics;

namespace Osv.Manifests.Project;

/// <summary>A file osv.yaml's <c>files</c> key adds to the image.</summary>
/// <param name="GuestPath">The absolute guest path, normalised.</param>
/// <param name="HostPath">The absolute host path; a directory creates an empty guest directory, as in a manifest.</param>
/// <param name="Location">Where osv.yaml names the file.</param>
public sealed record ExtraFile(string GuestPath, string HostPath, SourceLocation Location);
