namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// The stable codes of the ELF analysis findings (the OSV2xxx range). Where a finding depends on whether
/// a program loads the file, the severity given is the one for a loaded file. A file that no program
/// loads gets a warning instead of an error, because OSv only fails when it loads the file.
/// </summary>
public static class ElfDiagnosticCodes
{
    /// <summary>OSV2001 (error): the file starts with the ELF magic but is truncated or inconsistent.</summary>
    public const string InvalidElf = "OSV2001";

    /// <summary>OSV2002 (error): the ELF class is not the kernel's (OSv loads ELFCLASS64 only).</summary>
    public const string WrongClass = "OSV2002";

    /// <summary>OSV2003 (error): the byte order is not the kernel's (OSv loads little-endian only).</summary>
    public const string WrongByteOrder = "OSV2003";

    /// <summary>OSV2004 (error): EI_OSABI is neither System V (0) nor GNU/Linux (3).</summary>
    public const string WrongOsAbi = "OSV2004";

    /// <summary>OSV2005 (error): e_machine differs from the kernel's.</summary>
    public const string WrongMachine = "OSV2005";

    /// <summary>OSV2006 (error): the file is a relocatable object, a core file or another e_type OSv cannot load.</summary>
    public const string NotLoadable = "OSV2006";

    /// <summary>OSV2007 (error): an ET_EXEC executable under a kernel that loads ET_DYN only.</summary>
    public const string ExecutableNotAccepted = "OSV2007";

    /// <summary>OSV2008 (error): a PT_LOAD segment of a position-dependent executable overlaps the kernel's address range.</summary>
    public const string OverlapsKernel = "OSV2008";

    /// <summary>OSV2009 (error): a program header type that OSv's loader aborts on.</summary>
    public const string UnknownSegmentType = "OSV2009";

    /// <summary>OSV2010 (error): EI_VERSION is not EV_CURRENT (1).</summary>
    public const string WrongIdentVersion = "OSV2010";

    /// <summary>OSV2011 (error): a DT_NEEDED library is neither in the image, nor provided by the kernel, nor found on the host.</summary>
    public const string LibraryNotFoundOnHost = "OSV2011";

    /// <summary>OSV2012 (info): a library found on the host was added to the image.</summary>
    public const string LibraryAdded = "OSV2012";

    /// <summary>OSV2013 (error): OSv's loader would not find a DT_NEEDED library in the finished image.</summary>
    public const string LibraryNotLoadable = "OSV2013";

    /// <summary>OSV2014 (warning): DT_RPATH or DT_RUNPATH uses <c>${ORIGIN}</c>, <c>$LIB</c> or <c>$PLATFORM</c>, which OSv does not expand.</summary>
    public const string UnexpandedToken = "OSV2014";

    /// <summary>OSV2015 (warning): an undefined function symbol that no loaded object and not the kernel defines.</summary>
    public const string UnresolvedFunction = "OSV2015";

    /// <summary>OSV2016 (error): an undefined data (STT_OBJECT) or thread-local (STT_TLS) symbol that nothing defines.</summary>
    public const string UnresolvedData = "OSV2016";

    /// <summary>OSV2017 (info): the kernel profile has no export list, so symbols the kernel may provide were not checked.</summary>
    public const string KernelExportsUnknown = "OSV2017";

    /// <summary>OSV2018 (warning): a symbol binds to a definition of another version than the one it was linked against.</summary>
    public const string VersionMismatch = "OSV2018";

    /// <summary>OSV2019 (warning): a file in the image has a soname the kernel provides, so OSv never loads it.</summary>
    public const string ShadowedByKernel = "OSV2019";

    /// <summary>OSV2020 (error): a program of the command line is missing from the image or is not a loadable ELF file.</summary>
    public const string ProgramNotLoadable = "OSV2020";

    /// <summary>OSV2021 (warning): a version an object needs from a library is not among the versions that library defines.</summary>
    public const string VersionNotDefined = "OSV2021";
}
