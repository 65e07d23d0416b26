namespace Osv.ImageBuilder.Kernel;

/// <summary>
/// What a prebuilt OSv kernel accepts and provides, as the ELF analysis needs it. It is read from a
/// kernel bundle; nothing here is a constant of the code, so another OSv release is another bundle.
/// </summary>
public sealed record KernelProfile
{
    /// <summary>Gets the architecture name, for example <c>x86_64</c> or <c>aarch64</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>Gets the ELF e_machine value the kernel loads, for example 62 (EM_X86_64).</summary>
    public required ushort Machine { get; init; }

    /// <summary>Gets whether the kernel loads ET_EXEC objects; older OSv releases loaded ET_DYN only.</summary>
    public required bool AcceptsExecutables { get; init; }

    /// <summary>Gets the first virtual address of the kernel's own image, for example 0x40200000.</summary>
    public required ulong KernelStart { get; init; }

    /// <summary>Gets the address just past the kernel's own image; a non-PIE PT_LOAD must not overlap [start, end).</summary>
    public required ulong KernelEnd { get; init; }

    /// <summary>Gets the sonames the kernel itself provides, which must not be copied into the image.</summary>
    public required IReadOnlySet<string> ProvidedSonames { get; init; }

    /// <summary>Gets the symbols the kernel exports (its dynamic symbol table), or null when the bundle has no list.</summary>
    public IReadOnlySet<string>? ExportedSymbols { get; init; }

    /// <summary>Gets the OSv version the profile describes, for example <c>v0.57.0</c>, when known.</summary>
    public string? Version { get; init; }
}
