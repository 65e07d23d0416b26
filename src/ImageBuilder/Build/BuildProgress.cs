namespace Osv.ImageBuilder.Build;

/// <summary>The stages of <see cref="ImageBuild"/>, in the order they run.</summary>
public enum BuildStage
{
    /// <summary>Reading osv.yaml or the manifest.</summary>
    LoadProject,

    /// <summary>Expanding manifest entries into the guest tree.</summary>
    ExpandPlan,

    /// <summary>Adding the kernel bundle's base files.</summary>
    AddKernelFiles,

    /// <summary>Classifying ELF files and adding their DT_NEEDED closure.</summary>
    AnalyseElf,

    /// <summary>Writing the filesystem partition.</summary>
    WriteFileSystem,

    /// <summary>Assembling the disk and writing the container file.</summary>
    WriteImage,

    /// <summary>Writing the report, the SBOM and the dependency file.</summary>
    WriteSideOutputs,
}

/// <summary>One progress update of a build.</summary>
/// <param name="Stage">The stage that started or advanced.</param>
/// <param name="Message">A short description for a progress line, for example "writing rofs".</param>
/// <param name="Completed">How much of the stage is done, in <paramref name="Unit"/>; 0 when it just started.</param>
/// <param name="Total">The stage's total in <paramref name="Unit"/>, or 0 when unknown.</param>
/// <param name="Unit">What <paramref name="Completed"/> counts, for example "bytes" or "files".</param>
public sealed record BuildProgress(BuildStage Stage, string Message, long Completed = 0, long Total = 0, string Unit = "");
