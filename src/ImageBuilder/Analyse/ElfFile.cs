using System.Diagnostics.CodeAnalysis;
using ELFSharp;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;
using Osv.Diagnostics;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// The facts of one ELF file that decide whether and how OSv loads it: the header, the program headers,
/// the dynamic section (DT_SONAME, DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_FLAGS_1) and the dynamic symbols
/// with their versions. Read it with <see cref="TryRead(string, out ElfFile?, out Diagnostic?)"/>.
/// </summary>
/// <remarks>
/// The terms follow ELFSharp's model (<see cref="FileType"/>, <see cref="Machine"/>, <see cref="Class"/>,
/// <see cref="SegmentType"/>), but the bytes are decoded by a bounds-checked reader of this project; see
/// <see cref="ElfReader"/> for why.
/// </remarks>
public sealed class ElfFile
{
    internal ElfFile(string path)
    {
        Path = path;
    }

    /// <summary>Gets the path or name the file was read from.</summary>
    public string Path { get; }

    /// <summary>Gets the ELF class: <see cref="Class.Bit32"/> or <see cref="Class.Bit64"/>.</summary>
    public Class Class { get; internal init; }

    /// <summary>Gets the byte order of the file.</summary>
    public Endianess Endianess { get; internal init; }

    /// <summary>Gets EI_VERSION of e_ident; 1 (EV_CURRENT) is the only defined value.</summary>
    public byte IdentVersion { get; internal init; }

    /// <summary>Gets EI_OSABI: 0 for System V, 3 for GNU/Linux, others for other systems.</summary>
    public byte OsAbi { get; internal init; }

    /// <summary>Gets EI_ABIVERSION.</summary>
    public byte AbiVersion { get; internal init; }

    /// <summary>Gets e_type; values ELFSharp does not name are kept as numbers.</summary>
    public FileType Type { get; internal init; }

    /// <summary>Gets e_machine, for example <see cref="Machine.AMD64"/> (62).</summary>
    public Machine Machine { get; internal init; }

    /// <summary>Gets e_entry.</summary>
    public ulong EntryPoint { get; internal init; }

    /// <summary>Gets what the file is, as OSv's loader classifies it.</summary>
    public ElfKind Kind { get; internal init; }

    /// <summary>Gets the program headers in file order.</summary>
    public IReadOnlyList<ElfSegment> Segments { get; internal init; } = [];

    /// <summary>Gets the program interpreter named by PT_INTERP, or null when there is none.</summary>
    public string? Interpreter { get; internal init; }

    /// <summary>Gets whether the file has a PT_DYNAMIC segment.</summary>
    public bool HasDynamicSection { get; internal init; }

    /// <summary>Gets DT_SONAME, or null when there is none.</summary>
    public string? Soname { get; internal init; }

    /// <summary>Gets every DT_NEEDED value in order.</summary>
    public IReadOnlyList<string> Needed { get; internal init; } = [];

    /// <summary>Gets DT_RPATH, or null when there is none.</summary>
    public string? RPath { get; internal init; }

    /// <summary>Gets DT_RUNPATH, or null when there is none.</summary>
    public string? RunPath { get; internal init; }

    /// <summary>Gets DT_FLAGS, or 0 when there is none.</summary>
    public ulong Flags { get; internal init; }

    /// <summary>Gets DT_FLAGS_1, or 0 when there is none.</summary>
    public ulong Flags1 { get; internal init; }

    /// <summary>Gets whether DT_FLAGS_1 has DF_1_PIE, which OSv uses to tell a PIE from a shared library.</summary>
    public bool IsPieFlagSet => (Flags1 & ElfConstants.Flag1Pie) != 0;

    /// <summary>Gets whether the object requests that all its symbols be bound at load time (DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW).</summary>
    public bool BindsNow { get; internal init; }

    /// <summary>Gets whether the object has a DT_GNU_HASH table; OSv skips hidden versions only when it looks up through it.</summary>
    public bool HasGnuHash { get; internal init; }

    /// <summary>Gets whether the file has a PT_TLS segment (thread-local storage).</summary>
    public bool UsesTls => Segments.Any(s => s.Type == ElfConstants.SegmentTls);

    /// <summary>Gets the dynamic symbols without the null entry at index 0, in table order.</summary>
    public IReadOnlyList<ElfSymbol> DynamicSymbols { get; internal init; } = [];

    /// <summary>Gets the versions the object defines (.gnu.version_d), base entry included.</summary>
    public IReadOnlyList<ElfVersionDefinition> VersionDefinitions { get; internal init; } = [];

    /// <summary>Gets the versions the object needs from other files (.gnu.version_r).</summary>
    public IReadOnlyList<ElfVersionRequirement> VersionRequirements { get; internal init; } = [];

    /// <summary>Gets whether the file is position independent (ET_DYN), so OSv may load it at any address.</summary>
    public bool IsPositionIndependent => Type == FileType.SharedObject;

    /// <summary>Gets the PT_LOAD segments.</summary>
    public IEnumerable<ElfSegment> LoadSegments => Segments.Where(s => s.Type == SegmentType.Load);

    /// <summary>
    /// Reads the ELF facts of a host file.
    /// </summary>
    /// <param name="path">The host file.</param>
    /// <param name="file">The facts, when the method returns true.</param>
    /// <param name="diagnostic">
    /// When the method returns false: null if the file is simply not ELF (no ELF magic), or an OSV2001
    /// error that names the file and the part that is invalid or cannot be read.
    /// </param>
    /// <returns>True when the file is a well-formed ELF file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    public static bool TryRead(string path, [NotNullWhen(true)] out ElfFile? file, out Diagnostic? diagnostic)
    {
        ArgumentNullException.ThrowIfNull(path);
        file = null;
        diagnostic = null;

        ElfByteSource source;
        try
        {
            source = ElfByteSource.OpenFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostic = new Diagnostic(
                ElfDiagnosticCodes.InvalidElf,
                DiagnosticSeverity.Error,
                $"Cannot read '{path}': {e.Message} Check that the file exists and is readable.",
                new SourceLocation(path));
            return false;
        }

        using (source)
        {
            return TryRead(source, path, out file, out diagnostic);
        }
    }

    /// <summary>Reads the ELF facts of bytes already in memory.</summary>
    /// <param name="content">The whole file.</param>
    /// <param name="name">The name to use in <see cref="Path"/> and in the diagnostic.</param>
    /// <param name="file">The facts, when the method returns true.</param>
    /// <param name="diagnostic">When the method returns false: null if the bytes are not ELF, else an OSV2001 error.</param>
    /// <returns>True when the bytes are a well-formed ELF file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static bool TryRead(ReadOnlyMemory<byte> content, string name, [NotNullWhen(true)] out ElfFile? file, out Diagnostic? diagnostic)
    {
        ArgumentNullException.ThrowIfNull(name);
        using ElfByteSource source = ElfByteSource.FromMemory(content);
        return TryRead(source, name, out file, out diagnostic);
    }

    // Runs the reader and turns a format error into the OSV2001 diagnostic.
    private static bool TryRead(ElfByteSource source, string path, [NotNullWhen(true)] out ElfFile? file, out Diagnostic? diagnostic)
    {
        diagnostic = null;
        try
        {
            file = ElfReader.Read(source, path);
            return file is not null;
        }
        catch (ElfFormatException e)
        {
            file = null;
            diagnostic = new Diagnostic(
                ElfDiagnosticCodes.InvalidElf,
                DiagnosticSeverity.Error,
                $"'{path}' is not a valid ELF file: {e.Message}. Rebuild or recopy the file; OSv cannot load it.",
                new SourceLocation(path));
            return false;
        }
        catch (IOException e)
        {
            file = null;
            diagnostic = new Diagnostic(
                ElfDiagnosticCodes.InvalidElf,
                DiagnosticSeverity.Error,
                $"Cannot read '{path}': {e.Message} Check that the file is readable.",
                new SourceLocation(path));
            return false;
        }
    }
}
