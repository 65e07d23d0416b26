using System.Diagnostics;
using Osv.Diagnostics;
using Osv.ImageBuilder.Analyse;

namespace Osv.ImageBuilder.Tests.Analyse;

/// <summary>
/// Feeds the reader thousands of damaged copies of real ELF files (seeded, so every run is the same)
/// and checks that each gives a result or an OSV2001 finding, within a time and allocation bound.
/// </summary>
public class ElfFuzzTests
{
    private const int Seed = 20261204;
    private const int Iterations = 6000;
    private const int MaxSeedBytes = 768 * 1024;

    // A file that takes longer than this is treated as a hang; reading the largest seed takes about a millisecond.
    private static readonly TimeSpan s_perFileGuard = TimeSpan.FromSeconds(5);

    [Fact]
    public void Mutated_files_never_throw()
    {
        List<byte[]> seeds = LoadSeeds();
        Assert.True(seeds.Count >= 20, $"only {seeds.Count} seed files");
        var random = new Random(Seed);
        var cases = new List<(string Name, byte[] Bytes)>(Iterations);
        for (int i = 0; i < Iterations; i++)
        {
            byte[] seed = seeds[random.Next(seeds.Count)];
            (string mutation, byte[] bytes) = Mutate(seed, random);
            cases.Add(($"case {i} ({mutation})", bytes));
        }

        (List<string> failures, int findings) = RunGuarded(cases);

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        Assert.InRange(findings, Iterations / 10, Iterations - (Iterations / 10));
    }

    [Fact]
    public void Every_truncation_of_header_area()
    {
        byte[] seed = File.ReadAllBytes(ElfSamples.Shared.VersionedNew);
        int limit = Math.Min(seed.Length, 16 * 1024);
        var cases = new List<(string Name, byte[] Bytes)>();
        for (int length = 0; length < limit; length += length < 1024 ? 1 : 61)
        {
            cases.Add(($"truncated to {length} bytes", seed[..length]));
        }

        (List<string> failures, int findings) = RunGuarded(cases);

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        Assert.True(findings > cases.Count / 2, $"only {findings} of {cases.Count} truncations gave a finding");
    }

    [Fact]
    public void Oversized_counts_give_findings()
    {
        byte[] seed = File.ReadAllBytes(ElfSamples.Shared.SharedObject);

        // e_phnum (byte 56) near its maximum, and e_shoff (byte 40) near the end of the address space.
        byte[] phnum = (byte[])seed.Clone();
        BitConverter.GetBytes((ushort)0xFFFE).CopyTo(phnum, 56);
        byte[] shoff = (byte[])seed.Clone();
        BitConverter.GetBytes(ulong.MaxValue - 10).CopyTo(shoff, 40);

        ElfFile.TryRead(phnum, "phnum.so", out _, out Diagnostic? phnumFinding);
        ElfFile.TryRead(shoff, "shoff.so", out _, out Diagnostic? shoffFinding);

        Assert.Equal(ElfDiagnosticCodes.InvalidElf, phnumFinding?.Code);
        Assert.Equal(ElfDiagnosticCodes.InvalidElf, shoffFinding?.Code);
    }

    // Reads each case on a worker thread; the test thread fails a case that exceeds the time guard.
    // Allocation is measured on the worker thread and bounded by a multiple of the file size.
    // Returns the failures and how many cases gave an OSV2001 finding.
    private static (List<string> Failures, int Findings) RunGuarded(List<(string Name, byte[] Bytes)> cases)
    {
        var failures = new List<string>();
        int findings = 0;
        int current = -1;
        long startedAt = 0;
        var worker = new Thread(() =>
        {
            for (int i = 0; i < cases.Count; i++)
            {
                Volatile.Write(ref startedAt, Stopwatch.GetTimestamp());
                Volatile.Write(ref current, i);
                (string name, byte[] bytes) = cases[i];
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    bool read = ElfFile.TryRead(bytes, name, out ElfFile? file, out Diagnostic? diagnostic);
                    if (diagnostic is not null)
                    {
                        findings++;
                    }

                    if (!read && diagnostic is not null && diagnostic.Code != ElfDiagnosticCodes.InvalidElf)
                    {
                        lock (failures)
                        {
                            failures.Add($"{name}: unexpected code {diagnostic.Code}");
                        }
                    }

                    if (read)
                    {
                        // The analysis-side views of a file must hold up too.
                        _ = file!.Kind;
                        _ = file.DynamicSymbols.Select(s => s.ToString()).Count();
                    }
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
                    }
                }

                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                long bound = (32L * bytes.Length) + (1 << 20);
                if (allocated > bound)
                {
                    lock (failures)
                    {
                        failures.Add($"{name}: allocated {allocated} bytes for a file of {bytes.Length} bytes");
                    }
                }
            }

            Volatile.Write(ref current, cases.Count);
        })
        {
            IsBackground = true,
        };
        worker.Start();

        while (!worker.Join(TimeSpan.FromMilliseconds(100)))
        {
            int index = Volatile.Read(ref current);
            if (index >= 0 && index < cases.Count && Stopwatch.GetElapsedTime(Volatile.Read(ref startedAt)) > s_perFileGuard)
            {
                lock (failures)
                {
                    failures.Add($"{cases[index].Name}: still reading after {s_perFileGuard.TotalSeconds} s");
                }

                return (failures, findings);
            }
        }

        return (failures, Volatile.Read(ref findings));
    }

    // Real files of varied shapes: every seventh ELF file of the library folder under the size cap,
    // plus the gcc samples (versions, TLS, static, object file).
    private static List<byte[]> LoadSeeds()
    {
        ElfSamples samples = ElfSamples.Shared;
        var paths = new List<string>
        {
            samples.SharedObject, samples.Pie, samples.NonPie, samples.ObjectFile, samples.Tls,
            samples.VersionedNew, samples.VersionedUser, samples.HiddenRuntime, samples.Undefined, samples.RunPathProgram,
        };
        if (Directory.Exists(HostTools.LibraryFolder))
        {
            paths.AddRange(HostTools.FindElfFiles(HostTools.LibraryFolder)
                .Where(p => new FileInfo(p).Length <= MaxSeedBytes)
                .Where((_, index) => index % 7 == 0));
        }

        return paths.Select(File.ReadAllBytes).ToList();
    }

    // One damaged copy: random bytes, a truncation, an extreme value in a header or dynamic field, or noise after the magic.
    private static (string Mutation, byte[] Bytes) Mutate(byte[] seed, Random random)
    {
        byte[] bytes = (byte[])seed.Clone();
        switch (random.Next(5))
        {
            case 0:
            {
                int flips = random.Next(1, 32);
                for (int i = 0; i < flips; i++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return ($"{flips} random bytes", bytes);
            }

            case 1:
            {
                int length = random.Next(bytes.Length);
                return ($"truncated to {length}", bytes[..length]);
            }

            case 2:
            {
                // A 2-, 4- or 8-byte field in the first 4 KiB (headers, program headers, often .dynsym) set to an extreme.
                int width = (int[])[2, 4, 8] is var widths ? widths[random.Next(3)] : 8;
                int offset = random.Next(Math.Max(1, Math.Min(bytes.Length, 4096) - width)) & ~(width - 1);
                ulong value = random.Next(3) switch
                {
                    0 => ulong.MaxValue,
                    1 => (ulong)random.NextInt64(),
                    _ => 0x7FFFFFFF,
                };
                BitConverter.GetBytes(value).AsSpan(0, width).CopyTo(bytes.AsSpan(offset));
                return ($"{width}-byte field at {offset} = 0x{value:X}", bytes);
            }

            case 3:
                return ($"dynamic section damaged", DamageDynamic(bytes, random));

            default:
            {
                int length = random.Next(16, 4096);
                byte[] noise = new byte[length];
                random.NextBytes(noise);
                seed.AsSpan(0, Math.Min(16, seed.Length)).CopyTo(noise);
                return ($"{length} random bytes after e_ident", noise);
            }
        }
    }

    // Replaces the value of a random entry of PT_DYNAMIC, where DT_STRSZ, DT_VERDEFNUM and the table addresses live.
    private static byte[] DamageDynamic(byte[] bytes, Random random)
    {
        if (!ElfFile.TryRead(bytes, "seed", out ElfFile? file, out _) || file.Class != ELFSharp.ELF.Class.Bit64)
        {
            return bytes;
        }

        ElfSegment dynamic = file.Segments.FirstOrDefault(s => s.Type == ELFSharp.ELF.Segments.SegmentType.Dynamic);
        if (dynamic.FileSize < 16 || dynamic.Offset + dynamic.FileSize > (ulong)bytes.Length)
        {
            return bytes;
        }

        int entries = (int)(dynamic.FileSize / 16);
        int valueOffset = (int)dynamic.Offset + (random.Next(entries) * 16) + 8;
        ulong value = random.Next(2) == 0 ? ulong.MaxValue / (ulong)random.Next(1, 1000) : (ulong)random.Next(int.MaxValue);
        BitConverter.GetBytes(value).CopyTo(bytes, valueOffset);
        return bytes;
    }
}
