namespace Osv.ImageBuilder.Analyse;

/// <summary>What <see cref="ElfAnalyzer.Analyze"/> found; the diagnostics go to the bag the caller passes.</summary>
/// <param name="Objects">One record for every ELF file in the plan, in plan order, added libraries included.</param>
/// <param name="AddedFiles">The guest paths the analysis added to the plan, in the order they were added.</param>
/// <param name="Programs">What OSv's loader would load for each program, in command-line order.</param>
public sealed record ElfAnalysisResult(IReadOnlyList<ElfObjectRecord> Objects, IReadOnlyList<string> AddedFiles, IReadOnlyList<ElfProgramLoad> Programs)
{
    /// <summary>Returns the record of <paramref name="guestPath"/>, or null when it is not an ELF file of the plan.</summary>
    public ElfObjectRecord? Find(string guestPath) => Objects.FirstOrDefault(o => o.GuestPath == guestPath);
}
