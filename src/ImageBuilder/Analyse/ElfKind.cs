namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// What an ELF file is, in the terms OSv's loader uses (include/osv/elf.hh): e_type, DF_1_PIE in
/// DT_FLAGS_1 and the presence of PT_INTERP decide it.
/// </summary>
public enum ElfKind
{
    /// <summary>ET_DYN without DF_1_PIE: a shared library, including libraries that can also run (libc.so.6).</summary>
    SharedObject,

    /// <summary>ET_DYN with DF_1_PIE and PT_INTERP: a dynamically linked position-independent executable.</summary>
    PositionIndependentExecutable,

    /// <summary>ET_EXEC with PT_INTERP: a dynamically linked executable loaded at its link addresses.</summary>
    Executable,

    /// <summary>
    /// ET_EXEC without PT_INTERP, or ET_DYN with DF_1_PIE and no PT_INTERP (static PIE): OSv loads no
    /// DT_NEEDED objects for it.
    /// </summary>
    StaticExecutable,

    /// <summary>ET_REL: an object file that still needs the static linker.</summary>
    Relocatable,

    /// <summary>ET_CORE: a core dump.</summary>
    Core,

    /// <summary>Any other e_type (ET_NONE, OS or processor specific values).</summary>
    Other,
}
