namespace Osv.ImageBuilder.Kernel.Import;

// One base file as found in the OSv build or source tree, before it is copied into the bundle.
// HostPath is set for files, LinkTarget for links and Content for text the importer generates.
internal sealed record BaseFileSource(string GuestPath, KernelBaseFileKind Kind, string? HostPath = null, string? LinkTarget = null, string? Content = null);
