namespace Osv.ImageBuilder.Analyse;

/// <summary>How the guest loader resolves one DT_NEEDED entry of an object.</summary>
/// <param name="Name">The DT_NEEDED value, for example <c>libevent-2.1.so.7</c>.</param>
/// <param name="GuestPath">The guest file OSv loads for it, or null when the kernel provides it or nothing is found.</param>
/// <param name="ProvidedByKernel">Whether the kernel provides the soname, so nothing is loaded.</param>
public sealed record NeededResolution(string Name, string? GuestPath, bool ProvidedByKernel)
{
    /// <summary>Gets whether the entry resolves, to a guest file or to the kernel.</summary>
    public bool IsResolved => ProvidedByKernel || GuestPath is not null;

    /// <summary>Gets the resolution as the build report shows it: the guest path, <c>kernel</c> or <c>not found</c>.</summary>
    public string Describe() => ProvidedByKernel ? "kernel" : GuestPath ?? "not found";
}
