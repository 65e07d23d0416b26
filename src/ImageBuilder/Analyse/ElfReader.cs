using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Osv.ImageBuilder.Analyse;

/// <summary>
/// Decodes the facts of <see cref="ElfFile"/> from raw bytes, checking every offset, size and count
/// against the length of the file before it is used.
/// </summary>
/// <remarks>
/// ELFSharp's ELFReader (2.17) does not fit here, for four reasons. It parses every section when it
/// opens a file, .symtab and its strings included, although OSv never reads them: over the ELF files
/// of Debian 12's /usr/lib/x86_64-linux-gnu it takes about 6 times the CPU time of this reader while
/// decoding no versions (bench/ elf-scan). It finds the dynamic section through the section headers,
/// while OSv's loader (core/elf.cc) and glibc use PT_DYNAMIC, so a file without section headers has
/// no dynamic section for it. It does not decode .gnu.version, .gnu.version_d or .gnu.version_r.
/// It sizes lists from counts in the file and reads until an EndOfStreamException, so a hostile count
/// costs memory and an exception instead of a finding. This reader fetches only the ranges it
/// decodes, through one 16 KiB window, and keeps ELFSharp's enums as the vocabulary.
/// </remarks>
internal sealed partial class ElfReader : IDisposable
{
    /// <summary>The largest single table the reader will load (a dynamic string or symbol table), in bytes.</summary>
    /// <remarks>libLLVM-15.so, the largest library of Debian 12, has about 20 MiB of dynamic symbols and strings.</remarks>
    public const long MaxTableBytes = 512L * 1024 * 1024;

    // The largest buffer, in bytes, that is returned to the shared array pool after use.
    private const int MaxPooledBytes = 1024 * 1024;

    // How many times its own size the names decoded from one string table may add up to. The linker
    // shares only common suffixes, so real files stay far below this.
    private const long StringBudgetFactor = 4;

    // Size of the window that serves small reads; the headers, .gnu.version* and .dynstr of most
    // libraries share the first pages of the file.
    private const int WindowSize = 16 * 1024;

    private readonly ElfByteSource _source;
    private readonly string _path;
    private byte[] _window;
    private long _windowOffset;
    private int _windowLength;
    private byte[]? _large;
    private bool _is64;
    private bool _bigEndian;
    private long _stringBudget;

    private ElfReader(ElfByteSource source, string path)
    {
        _source = source;
        _path = path;
        _window = RentBuffer<byte>(WindowSize);
    }

    /// <summary>Reads the ELF facts, or returns null when the content does not start with the ELF magic.</summary>
    /// <exception cref="ElfFormatException">The content starts like ELF but is invalid or truncated.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ElfFile? Read(ElfByteSource source, string path)
    {
        using var reader = new ElfReader(source, path);
        return reader.Read();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReturnBuffer(_window);
        _window = [];
        if (_large is not null)
        {
            ReturnBuffer(_large);
            _large = null;
        }
    }

    // The whole read, as a list of steps; each step validates what it decodes.
    private ElfFile? Read()
    {
        if (!HasMagic())
        {
            return null;
        }

        HeaderFacts header = ReadHeader();

        List<ElfSegment> segments = ReadProgramHeaders(header);

        SectionFacts sections = ReadSectionHeaders(header);

        DynamicFacts dynamic = ReadDynamic(segments);

        byte[]? strings = null;
        try
        {
            strings = ReadDynamicStrings(dynamic, segments);
            ReadOnlySpan<byte> stringTable = strings is null ? [] : strings.AsSpan(0, (int)dynamic.StringTableSize);
            _stringBudget = (StringBudgetFactor * stringTable.Length) + WindowSize;

            string? soname = dynamic.Soname is { } sonameOffset ? ReadString(stringTable, sonameOffset, "DT_SONAME") : null;
            string? rpath = dynamic.RPath is { } rpathOffset ? ReadString(stringTable, rpathOffset, "DT_RPATH") : null;
            string? runpath = dynamic.RunPath is { } runpathOffset ? ReadString(stringTable, runpathOffset, "DT_RUNPATH") : null;
            var needed = new List<string>(dynamic.Needed.Count);
            foreach (ulong offset in dynamic.Needed)
            {
                needed.Add(ReadString(stringTable, offset, "DT_NEEDED"));
            }

            VersionTables versions = ReadVersions(dynamic, segments, stringTable);

            List<ElfSymbol> symbols = ReadSymbols(dynamic, segments, sections, stringTable, versions);

            string? interpreter = ReadInterpreter(segments);

            return new ElfFile(_path)
            {
                Class = _is64 ? ELFSharp.ELF.Class.Bit64 : ELFSharp.ELF.Class.Bit32,
                Endianess = _bigEndian ? ELFSharp.Endianess.BigEndian : ELFSharp.Endianess.LittleEndian,
                IdentVersion = header.IdentVersion,
                OsAbi = header.OsAbi,
                AbiVersion = header.AbiVersion,
                Type = (ELFSharp.ELF.FileType)header.Type,
                Machine = (ELFSharp.ELF.Machine)header.Machine,
                EntryPoint = header.Entry,
                Kind = Classify(header.Type, interpreter is not null, dynamic.Flags1),
                Segments = segments,
                Interpreter = interpreter,
                HasDynamicSection = dynamic.Present,
                Soname = soname,
                Needed = needed,
                RPath = rpath,
                RunPath = runpath,
                Flags = dynamic.Flags,
                Flags1 = dynamic.Flags1,
                BindsNow = dynamic.BindNow
                    || (dynamic.Flags & ElfConstants.FlagBindNow) != 0
                    || (dynamic.Flags1 & ElfConstants.Flag1Now) != 0,
                HasGnuHash = dynamic.GnuHash is not null,
                DynamicSymbols = symbols,
                VersionDefinitions = versions.Definitions,
                VersionRequirements = versions.Requirements,
            };
        }
        finally
        {
            if (strings is not null)
            {
                ReturnBuffer(strings);
            }
        }
    }

    // OSv's rules (include/osv/elf.hh): ET_DYN is a PIE only with DF_1_PIE, and an executable without
    // PT_INTERP is statically linked.
    private static ElfKind Classify(ushort type, bool hasInterpreter, ulong flags1)
    {
        switch ((ELFSharp.ELF.FileType)type)
        {
            case ELFSharp.ELF.FileType.SharedObject when (flags1 & ElfConstants.Flag1Pie) != 0:
                return hasInterpreter ? ElfKind.PositionIndependentExecutable : ElfKind.StaticExecutable;
            case ELFSharp.ELF.FileType.SharedObject:
                return ElfKind.SharedObject;
            case ELFSharp.ELF.FileType.Executable:
                return hasInterpreter ? ElfKind.Executable : ElfKind.StaticExecutable;
            case ELFSharp.ELF.FileType.Relocatable:
                return ElfKind.Relocatable;
            case ELFSharp.ELF.FileType.Core:
                return ElfKind.Core;
            default:
                return ElfKind.Other;
        }
    }

    // Returns the bytes [offset, offset + length) after checking them against the file and the table
    // limit. The span stays valid only until the next call. When index is not negative, what is a
    // format with {0} for it; the message is formatted only on failure, because this runs per entry.
    private ReadOnlySpan<byte> Fetch(ulong offset, ulong length, string what, long index = -1)
    {
        long fileLength = _source.Length;
        if (offset > (ulong)fileLength || length > (ulong)fileLength - offset)
        {
            throw new ElfFormatException($"{Describe(what, index)} at offset 0x{offset:X} with {length} bytes extends past the end of the file ({fileLength} bytes)");
        }

        if (length > MaxTableBytes)
        {
            throw new ElfFormatException($"{Describe(what, index)} has {length} bytes, more than the {MaxTableBytes}-byte limit of this reader");
        }

        long start = (long)offset;
        int count = (int)length;
        if (start >= _windowOffset && start + count <= _windowOffset + _windowLength)
        {
            return _window.AsSpan((int)(start - _windowOffset), count);
        }

        if (count > WindowSize)
        {
            if (_large is null || _large.Length < count)
            {
                if (_large is not null)
                {
                    ReturnBuffer(_large);
                }

                _large = RentBuffer<byte>(count);
            }

            _source.Read(start, _large.AsSpan(0, count));
            return _large.AsSpan(0, count);
        }

        // Fill the window from the requested offset, as far as the file allows.
        int windowLength = (int)Math.Min(WindowSize, fileLength - start);
        Debug.Assert(windowLength >= count, "the bounds check above guarantees the range fits");
        _source.Read(start, _window.AsSpan(0, windowLength));
        _windowOffset = start;
        _windowLength = windowLength;
        return _window.AsSpan(0, count);
    }

    // Decodes a NUL-terminated string of a string table. Every decoded byte is charged to a budget
    // proportional to the table, because names may overlap: a crafted table of N bytes could otherwise
    // make N symbols each decode a string of N bytes.
    private string ReadString(ReadOnlySpan<byte> table, ulong offset, string what, long index = -1)
    {
        if (offset >= (ulong)table.Length)
        {
            throw new ElfFormatException($"{Describe(what, index)} points at offset {offset} of a string table of {table.Length} bytes");
        }

        ReadOnlySpan<byte> rest = table[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new ElfFormatException($"the string of {Describe(what, index)} at offset {offset} is not terminated before the end of its string table");
        }

        _stringBudget -= end + 1;
        if (_stringBudget < 0)
        {
            throw new ElfFormatException($"the names in the dynamic string table overlap far more than a linker makes them ({Describe(what, index)} exceeds {StringBudgetFactor} times the table size)");
        }

        return Encoding.UTF8.GetString(rest[..end]);
    }

    // Fills the entry index into a message format such as "dynamic symbol {0}".
    private static string Describe(string what, long index) =>
        index < 0 ? what : string.Format(CultureInfo.InvariantCulture, what, index);

    // Buffers up to MaxPooledBytes come from the shared pool. The larger tables of a few big libraries
    // are left to the GC, so a long-lived process such as an MSBuild node does not keep them pooled.
    private static T[] RentBuffer<T>(int length) =>
        (long)length * Unsafe.SizeOf<T>() <= MaxPooledBytes ? ArrayPool<T>.Shared.Rent(length) : GC.AllocateUninitializedArray<T>(length);

    private static void ReturnBuffer<T>(T[] array)
    {
        if ((long)array.Length * Unsafe.SizeOf<T>() <= MaxPooledBytes)
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }

    private ushort U16(ReadOnlySpan<byte> span, int offset) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);

    private uint U32(ReadOnlySpan<byte> span, int offset) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);

    private ulong U64(ReadOnlySpan<byte> span, int offset) =>
        _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span[offset..]) : BinaryPrimitives.ReadUInt64LittleEndian(span[offset..]);

    // Reads an address-sized field: 4 bytes in ELFCLASS32, 8 in ELFCLASS64.
    private ulong Word(ReadOnlySpan<byte> span, int offset) => _is64 ? U64(span, offset) : U32(span, offset);
}
