using ELFSharp.ELF;
using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;

namespace Osv.ImageBuilder.Tests.Analyse;

public class ElfFileTests
{
    private static ElfFile Read(string path)
    {
        Assert.True(ElfFile.TryRead(path, out ElfFile? file, out Diagnostic? diagnostic), diagnostic?.Message);
        return file;
    }

    [Fact]
    public void Kind_of_gcc_outputs()
    {
        ElfSamples samples = ElfSamples.Shared;

        Assert.Equal(ElfKind.SharedObject, Read(samples.SharedObject).Kind);
        Assert.Equal(ElfKind.PositionIndependentExecutable, Read(samples.Pie).Kind);
        Assert.Equal(ElfKind.Executable, Read(samples.NonPie).Kind);
        Assert.Equal(ElfKind.StaticExecutable, Read(samples.Static).Kind);
        Assert.Equal(ElfKind.Relocatable, Read(samples.ObjectFile).Kind);
    }

    [Fact]
    public void Header_facts_of_shared_object()
    {
        ElfFile file = Read(ElfSamples.Shared.SharedObject);

        Assert.Equal(Class.Bit64, file.Class);
        Assert.Equal(ELFSharp.Endianess.LittleEndian, file.Endianess);
        Assert.Equal(Machine.AMD64, file.Machine);
        Assert.Equal(FileType.SharedObject, file.Type);
        Assert.Equal(0, file.OsAbi);
        Assert.Equal("libshared.so.1", file.Soname);
        Assert.Empty(file.Needed);
        Assert.Null(file.Interpreter);
        Assert.False(file.IsPieFlagSet);
    }

    [Fact]
    public void Pie_has_interpreter_and_flag()
    {
        ElfFile file = Read(ElfSamples.Shared.Pie);

        Assert.Equal("/lib64/ld-linux-x86-64.so.2", file.Interpreter);
        Assert.True(file.IsPieFlagSet);
        Assert.True(file.IsPositionIndependent);
    }

    [Fact]
    public void Static_executable_has_no_dynamic_section()
    {
        ElfFile file = Read(ElfSamples.Shared.Static);

        Assert.False(file.HasDynamicSection);
        Assert.Empty(file.Needed);
        Assert.False(file.IsPositionIndependent);
    }

    [Fact]
    public void Runpath_is_read_as_written()
    {
        ElfFile file = Read(ElfSamples.Shared.RunPathProgram);

        Assert.Equal("$ORIGIN/../lib", file.RunPath);
        Assert.Null(file.RPath);
        Assert.Equal(["libdep.so", "libc.so.6"], file.Needed);
    }

    [Fact]
    public void Tls_segment_is_detected()
    {
        ElfFile file = Read(ElfSamples.Shared.Tls);

        Assert.True(file.UsesTls);
        Assert.Contains(file.DynamicSymbols, s => s.Name == "tls_counter" && s.Type == ElfSymbolType.Tls && s.IsDefined);
    }

    [Fact]
    public void Undefined_symbols_keep_type_and_binding()
    {
        ElfFile file = Read(ElfSamples.Shared.Undefined);

        ElfSymbol variable = Assert.Single(file.DynamicSymbols, s => s.Name == "missing_variable");
        ElfSymbol tls = Assert.Single(file.DynamicSymbols, s => s.Name == "missing_tls");
        ElfSymbol weak = Assert.Single(file.DynamicSymbols, s => s.Name == "missing_weak");
        Assert.False(variable.IsDefined);
        Assert.Equal(ElfSymbolType.Object, variable.Type);
        Assert.Contains("libdatadef.so", file.Needed);
        Assert.Equal(ElfSymbolType.Tls, tls.Type);
        Assert.True(weak.IsWeak);
    }

    [Fact]
    public void Version_definitions_and_hidden_flag()
    {
        ElfFile file = Read(ElfSamples.Shared.VersionedNew);

        Assert.Equal(["libv.so.1", "VER_1", "VER_2"], file.VersionDefinitions.Select(d => d.Name));
        Assert.True(file.VersionDefinitions[0].IsBase);
        Assert.Equal(["VER_1"], file.VersionDefinitions[2].Parents);
        ElfSymbol[] foo = file.DynamicSymbols.Where(s => s.Name == "foo").OrderBy(s => s.Version!.Name, StringComparer.Ordinal).ToArray();
        Assert.Equal(["foo@VER_1", "foo@@VER_2"], foo.Select(s => s.ToString()));
        Assert.True(foo[0].Version!.IsHidden);
        Assert.False(foo[1].Version!.IsHidden);
    }

    [Fact]
    public void Version_requirements_name_the_file()
    {
        ElfFile file = Read(ElfSamples.Shared.VersionedUser);

        ElfVersionRequirement requirement = Assert.Single(file.VersionRequirements, r => r.File == "libv.so.1");
        Assert.Equal(["VER_2"], requirement.Versions.Select(v => v.Name));
        ElfSymbol foo = Assert.Single(file.DynamicSymbols, s => s.Name == "foo");
        Assert.Equal("libv.so.1", foo.Version?.File);
        Assert.Equal("VER_2", foo.Version?.Name);
    }

    [Fact]
    public void Non_elf_file_gives_no_finding()
    {
        string path = Path.Combine(ElfSamples.Shared.Root, "src", "shared.c");

        bool read = ElfFile.TryRead(path, out ElfFile? file, out Diagnostic? diagnostic);

        Assert.False(read);
        Assert.Null(file);
        Assert.Null(diagnostic);
    }

    [Fact]
    public void Missing_file_gives_invalid_elf()
    {
        string path = Path.Combine(ElfSamples.Shared.Root, "does-not-exist.so");

        ElfFile.TryRead(path, out _, out Diagnostic? diagnostic);

        Assert.Equal(ElfDiagnosticCodes.InvalidElf, diagnostic?.Code);
        Assert.Equal(path, diagnostic?.Location?.File);
    }

    [Fact]
    public void Truncated_header_names_the_file()
    {
        byte[] bytes = File.ReadAllBytes(ElfSamples.Shared.SharedObject)[..40];

        ElfFile.TryRead(bytes, "truncated.so", out _, out Diagnostic? diagnostic);

        Assert.Equal(ElfDiagnosticCodes.InvalidElf, diagnostic?.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic?.Severity);
        Assert.Contains("truncated.so", diagnostic?.Message, StringComparison.Ordinal);
    }
}
