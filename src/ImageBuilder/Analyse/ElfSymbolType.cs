using System.Diagnostics.CodeAnalysis;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// The type of a symbol (ELF st_info &amp; 0xF). ELFSharp's SymbolType stops at STT_FILE and gives 5 the
/// name ProcessorSpecific, so the values the analysis needs are named here after the gABI and glibc.
/// </summary>
public enum ElfSymbolType : byte
{
    /// <summary>STT_NOTYPE: no type given; references through the PLT use it for functions of assembly code.</summary>
    NoType = 0,

    /// <summary>STT_OBJECT: a data object.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The gABI name of the value is STT_OBJECT.")]
    Object = 1,

    /// <summary>STT_FUNC: a function.</summary>
    Function = 2,

    /// <summary>STT_SECTION: a section.</summary>
    Section = 3,

    /// <summary>STT_FILE: a source file name.</summary>
    File = 4,

    /// <summary>STT_COMMON: an uninitialised common block.</summary>
    Common = 5,

    /// <summary>STT_TLS: a thread-local variable.</summary>
    Tls = 6,

    /// <summary>STT_GNU_IFUNC: a function whose address a resolver returns at load time.</summary>
    IndirectFunction = 10,
}
