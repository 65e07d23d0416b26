namespace Osv.ImageBuilder.Analyse;

/// <summary>What OSv's loader would load for one program of the command line.</summary>
/// <param name="Program">The program as given, for example <c>/app/server.so</c>.</param>
/// <param name="GuestPath">The canonical guest path of the program file, or null when it is not in the image.</param>
/// <param name="LoadOrder">The canonical guest paths of the objects in load order, the program first; symbols are looked up in this order, then in the kernel.</param>
public sealed record ElfProgramLoad(string Program, string? GuestPath, IReadOnlyList<string> LoadOrder);
