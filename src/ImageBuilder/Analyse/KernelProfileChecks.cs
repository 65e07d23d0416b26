using System.Globalization;
using ELFSharp;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;
using Osv.Diagnostics;
using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Checks one ELF file against what the kernel's loader accepts: OSv's file::load_elf_header() and
/// object::set_base() and object::process_headers() in core/elf.cc.
/// </summary>
internal static class KernelProfileChecks
{
    // The program header types that object::process_headers() of OSv (master of late 2026) accepts.
    // Any other type aborts the load with "Unknown p_type".
    // NOTE: the kernel profile does not carry this list, so a kernel of another release may accept more.
    private static readonly HashSet<SegmentType> s_acceptedSegmentTypes =
    [
        SegmentType.Null,
        SegmentType.Load,
        SegmentType.Dynamic,
        SegmentType.Interpreter,
        SegmentType.Note,
        SegmentType.ProgramHeader,
        ElfConstants.SegmentTls,
        ElfConstants.SegmentGnuEhFrame,
        ElfConstants.SegmentGnuStack,
        ElfConstants.SegmentGnuRelro,
        ElfConstants.SegmentGnuProperty,
        ElfConstants.SegmentPaxFlags,
    ];

    /// <summary>Returns every finding for <paramref name="file"/>; errors become warnings when no program loads it.</summary>
    /// <param name="file">The facts of the file.</param>
    /// <param name="guestPath">Its guest path, for the messages.</param>
    /// <param name="profile">The kernel profile.</param>
    /// <param name="isLoaded">Whether a program of the command line loads the file.</param>
    public static IEnumerable<Diagnostic> Check(ElfFile file, string guestPath, KernelProfile profile, bool isLoaded)
    {
        var location = new SourceLocation(file.Path);
        DiagnosticSeverity severity = isLoaded ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
        string unloadedNote = isLoaded ? string.Empty : " No program of the command line loads it, so this matters only if it is loaded later (dlopen).";

        // Objects that never go through the loader are only wrong when something loads them.
        if (file.Kind is ElfKind.Relocatable or ElfKind.Core or ElfKind.Other)
        {
            if (isLoaded)
            {
                string what = file.Kind switch
                {
                    ElfKind.Relocatable => "a relocatable object file (ET_REL); link it into a shared object with 'gcc -shared'",
                    ElfKind.Core => "a core file (ET_CORE)",
                    _ => $"of ELF type {(ushort)file.Type}",
                };
                yield return new Diagnostic(
                    ElfDiagnosticCodes.NotLoadable,
                    DiagnosticSeverity.Error,
                    $"{guestPath} is {what}; OSv loads only shared objects and executables (ET_DYN or ET_EXEC).",
                    location);
            }

            yield break;
        }

        // The e_ident checks of file::load_elf_header(), in its order.
        if (file.Class != Class.Bit64)
        {
            yield return new Diagnostic(
                ElfDiagnosticCodes.WrongClass,
                severity,
                $"{guestPath} is a 32-bit ELF file (ELFCLASS32); OSv loads 64-bit objects only. Build it for {profile.Architecture}.{unloadedNote}",
                location);
        }

        if (file.Endianess != Endianess.LittleEndian)
        {
            yield return new Diagnostic(
                ElfDiagnosticCodes.WrongByteOrder,
                severity,
                $"{guestPath} is big-endian; OSv loads little-endian objects only. Build it for {profile.Architecture}.{unloadedNote}",
                location);
        }

        if (file.IdentVersion != ElfConstants.VersionCurrent)
        {
            yield return new Diagnostic(
                ElfDiagnosticCodes.WrongIdentVersion,
                severity,
                $"{guestPath} has EI_VERSION {file.IdentVersion}; OSv loads only version 1 (EV_CURRENT).{unloadedNote}",
                location);
        }

        if (file.OsAbi is not (ElfConstants.OsAbiSystemV or ElfConstants.OsAbiLinux))
        {
            yield return new Diagnostic(
                ElfDiagnosticCodes.WrongOsAbi,
                severity,
                $"{guestPath} has OS ABI {file.OsAbi}; OSv loads only System V (0) or GNU/Linux (3) objects. Build it with a Linux toolchain.{unloadedNote}",
                location);
        }

        if ((ushort)file.Machine != profile.Machine)
        {
            yield return new Diagnostic(
                ElfDiagnosticCodes.WrongMachine,
                severity,
                $"{guestPath} is built for machine {DescribeMachine((ushort)file.Machine)}, but the kernel is {profile.Architecture} (machine {DescribeMachine(profile.Machine)}). Build it for {profile.Architecture}.{unloadedNote}",
                location);
        }

        foreach (Diagnostic diagnostic in CheckPlacement(file, guestPath, profile, severity, unloadedNote, location))
        {
            yield return diagnostic;
        }

        foreach (SegmentType type in file.Segments.Select(s => s.Type).Where(t => !s_acceptedSegmentTypes.Contains(t)).Distinct())
        {
            yield return new Diagnostic(
                ElfDiagnosticCodes.UnknownSegmentType,
                severity,
                $"{guestPath} has a program header of type 0x{(uint)type:X}, which OSv's loader does not know and aborts on (\"Unknown p_type\"). Relink it without that segment.{unloadedNote}",
                location);
        }
    }

    // ET_EXEC: whether the kernel takes position-dependent executables at all, and where they land.
    private static IEnumerable<Diagnostic> CheckPlacement(ElfFile file, string guestPath, KernelProfile profile, DiagnosticSeverity severity, string unloadedNote, SourceLocation location)
    {
        if (file.Type != FileType.Executable)
        {
            yield break;
        }

        if (!profile.AcceptsExecutables)
        {
            string version = profile.Version is null ? "This kernel" : $"This kernel ({profile.Version})";
            yield return new Diagnostic(
                ElfDiagnosticCodes.ExecutableNotAccepted,
                severity,
                $"{guestPath} is a position-dependent executable (ET_EXEC). {version} loads only position-independent objects (ET_DYN): rebuild it as a shared object with '-fPIC -shared' or as a PIE with '-fPIE -pie'.{unloadedNote}",
                location);
            yield break;
        }

        // OSv maps an ET_EXEC at its link addresses and aborts when it collides with the kernel.
        foreach (ElfSegment segment in file.LoadSegments)
        {
            if (segment.MemorySize == 0 || segment.VirtualAddress >= profile.KernelEnd || segment.EndAddress <= profile.KernelStart)
            {
                continue;
            }

            yield return new Diagnostic(
                ElfDiagnosticCodes.OverlapsKernel,
                severity,
                string.Create(CultureInfo.InvariantCulture,
                    $"{guestPath} is a position-dependent executable whose PT_LOAD segment [0x{segment.VirtualAddress:X}, 0x{segment.EndAddress:X}) overlaps the kernel at [0x{profile.KernelStart:X}, 0x{profile.KernelEnd:X}); OSv aborts when it loads it. Rebuild it with '-fPIE -pie', or link it above the kernel (for example '-Wl,-Ttext-segment=0x{AlignUp(profile.KernelEnd, 0x200000):X}').{unloadedNote}"),
                location);
        }
    }

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;

    private static string DescribeMachine(ushort machine) =>
        Enum.IsDefined((Machine)machine) ? $"{(Machine)machine} ({machine})" : machine.ToString(CultureInfo.InvariantCulture);
}
