using System.Globalization;
using System.Text.RegularExpressions;
using Osv.Diagnostics;
using Osv.ImageBuilder.FileSystems;
using Osv.ImageBuilder.FileSystems.Bootfs;
using Osv.ImageBuilder.Inspect;
using Osv.ImageBuilder.Kernel;
using Osv.ImageBuilder.Tests.Analyse;
using Osv.Manifests.Parse;
using Osv.Plan;

namespace Osv.ImageBuilder.Tests.OsvBuild;

/// <summary>
/// The importer on the real OSv build named by OSV_BUILD_DIR, judged by readelf, by OSv's own sources
/// and by the usr.img that OSv's build wrote. Skipped when OSV_BUILD_DIR is unset.
/// </summary>
public sealed class RealKernelImportTests(ImportedKernel kernel) : IClassFixture<ImportedKernel>
{
    [Fact]
    public void Symbols_MatchReadelf()
    {
        string elf = Path.Combine(OsvBuildEnvironment.RequireBuild(), "loader-stripped.elf");
        (int exitCode, string output, string error) = HostTools.Run("readelf", ["--dyn-syms", "-W", elf]);
        Assert.True(exitCode == 0, error);

        // Columns: Num: Value Size Type Bind Vis Ndx Name. The kernel's exports are the defined, non-local ones.
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n'))
        {
            string[] columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool isSymbol = columns.Length == 8 && columns[0].EndsWith(':') && char.IsAsciiDigit(columns[0][0]);
            if (isSymbol && columns[4] != "LOCAL" && columns[6] != "UND")
            {
                expected.Add(columns[7]);
            }
        }

        IReadOnlySet<string> actual = kernel.Bundle.Profile.ExportedSymbols!;
        Assert.True(expected.Count > 1000, $"readelf listed only {expected.Count} symbols");
        Assert.Empty(expected.Except(actual, StringComparer.Ordinal));
        Assert.Empty(actual.Except(expected, StringComparer.Ordinal));
    }

    [Fact]
    public void Range_MatchesLoadSegments()
    {
        string elf = Path.Combine(OsvBuildEnvironment.RequireBuild(), "loader-stripped.elf");
        (int exitCode, string output, string error) = HostTools.Run("readelf", ["-l", "-W", elf]);
        Assert.True(exitCode == 0, error);

        // Columns: Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align.
        ulong start = ulong.MaxValue;
        ulong end = 0;
        foreach (string line in output.Split('\n'))
        {
            string[] columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length >= 6 && columns[0] == "LOAD")
            {
                ulong address = Convert.ToUInt64(columns[2], 16);
                start = Math.Min(start, address);
                end = Math.Max(end, address + Convert.ToUInt64(columns[5], 16));
            }
        }

        Assert.Equal(start, kernel.Bundle.Profile.KernelStart);
        Assert.Equal(end, kernel.Bundle.Profile.KernelEnd);
    }

    [Fact]
    public void Version_MatchesHeader()
    {
        string header = File.ReadAllText(Path.Combine(OsvBuildEnvironment.RequireBuild(), "gen", "include", "osv", "version.h"));
        string expected = Regex.Match(header, "OSV_VERSION \"([^\"]+)\"").Groups[1].Value;

        Assert.Equal(expected, kernel.Bundle.Profile.Version);
        Assert.Equal(expected, kernel.Bundle.Name);
    }

    [Fact]
    public void Sonames_MatchElfCc()
    {
        string source = OsvBuildEnvironment.RequireSource();
        string build = OsvBuildEnvironment.RequireBuild();

        // The macros supplied_modules depends on, with this build's values.
        string hideHeader = File.ReadAllText(Path.Combine(build, "gen", "include", "osv", "kernel_config_hide_symbols.h"));
        string boostHeader = "/usr/include/boost/version.hpp";
        if (!File.Exists(boostHeader))
        {
            Assert.Skip($"{boostHeader} is missing, so the Boost version core/elf.cc was compiled with is unknown; install libboost-dev.");
        }

        var macros = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["__x86_64__"] = 1,
            ["HIDE_SYMBOLS"] = long.Parse(Regex.Match(hideHeader, @"CONF_hide_symbols (\d+)").Groups[1].Value, CultureInfo.InvariantCulture),
            ["BOOST_VERSION"] = long.Parse(Regex.Match(File.ReadAllText(boostHeader), @"#define BOOST_VERSION (\d+)").Groups[1].Value, CultureInfo.InvariantCulture),
        };
        string elfHh = File.ReadAllText(Path.Combine(source, "include", "osv", "elf.hh"));
        string linuxDl = Regex.Matches(elfHh, "linux_dl_soname = \"([^\"]+)\"").Select(m => m.Groups[1].Value).Single(s => s.Contains("x86-64", StringComparison.Ordinal));

        List<string> expected = SuppliedModules(File.ReadAllText(Path.Combine(source, "core", "elf.cc")), macros, linuxDl);

        Assert.Equal(expected.Order(StringComparer.Ordinal), kernel.Bundle.Profile.ProvidedSonames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ZfsDataset_MatchesLoaderCc()
    {
        string loader = File.ReadAllText(Path.Combine(OsvBuildEnvironment.RequireSource(), "loader.cc"));
        Match mount = Regex.Match(loader, "mount_rootfs\\(\"/zfs\",\\s*\"/dev/vblk0\\.1\",\\s*\"zfs\",\\s*0,\\s*\\(void \\*\\)\"([^\"]+)\"");
        Assert.True(mount.Success, "loader.cc has no mount_rootfs call for /zfs");

        Assert.Equal(mount.Groups[1].Value, kernel.Bundle.ZfsRootDataset);
        Assert.Equal("osv", kernel.Bundle.ZfsPool);
    }

    [Fact]
    public void FileSystems_MatchBootfs()
    {
        string build = OsvBuildEnvironment.RequireBuild();
        using var blob = new FileStream(Path.Combine(build, "bootfs.bin"), FileMode.Open, FileAccess.Read);
        using var bootfs = new BootfsReader(blob);
        bool hasZfsDriver = bootfs.ReadTree().Any(e => e.GuestPath == "/usr/lib/fs/libsolaris.so");

        Assert.Equal(hasZfsDriver, kernel.Bundle.FileSystems.Contains(FileSystemKind.Zfs));
        Assert.Contains(FileSystemKind.Rofs, kernel.Bundle.FileSystems);
        Assert.Contains(OsvBuildEnvironment.BuildFileSystem(), kernel.Bundle.FileSystems);
    }

    [Fact]
    public void BaseFiles_MatchOsvImage()
    {
        string build = OsvBuildEnvironment.RequireBuild();
        string source = OsvBuildEnvironment.RequireSource();
        FileSystemKind fileSystem = OsvBuildEnvironment.BuildFileSystem();

        // The application's lines follow the skeleton's lines in the build's usr.manifest.
        string skeletonName = fileSystem == FileSystemKind.Rofs ? "usr_rofs.manifest.skel" : "usr.manifest.skel";
        var reader = new ManifestReader(new ManifestReaderOptions { BaseDirectory = build });
        int skeletonCount = reader.ReadFile(Path.Combine(source, skeletonName), new DiagnosticBag()).Count;
        List<string> applicationPaths = [.. reader.ReadFile(Path.Combine(build, "usr.manifest"), new DiagnosticBag()).Skip(skeletonCount).Select(e => e.NormalizedGuestPath!)];

        // The image should contain the bundle's base files, the application's files and their folders, nothing else.
        var plan = new ImagePlan();
        kernel.Bundle.AddBaseFiles(plan, fileSystem, Path.Combine(kernel.Folder, "generated"));
        var expected = new SortedSet<string>(plan.Entries.Select(e => e.GuestPath), StringComparer.Ordinal);
        foreach (string path in applicationPaths.Concat(plan.Walk().Skip(1).Select(GuestPathOf)))
        {
            for (string? current = path; current is not null && current != "/"; current = Path.GetDirectoryName(current))
            {
                expected.Add(current);
            }
        }

        using DiskImage image = DiskImage.Open(Path.Combine(build, "usr.img"));
        using IFileSystemReader files = image.OpenFileSystem();
        var actual = new SortedSet<string>(files.ReadTree().Select(e => e.GuestPath), StringComparer.Ordinal);

        // A ZFS pool made by OSv's builder also has /zfs, the mount point of the dataset osv/zfs.
        if (fileSystem == FileSystemKind.Zfs)
        {
            actual.Remove("/zfs");
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void BaseFiles_SameAsInOsvImage()
    {
        string build = OsvBuildEnvironment.RequireBuild();
        FileSystemKind fileSystem = OsvBuildEnvironment.BuildFileSystem();
        using DiskImage image = DiskImage.Open(Path.Combine(build, "usr.img"));
        using IFileSystemReader files = image.OpenFileSystem();
        IReadOnlyList<FileSystemEntry> entries = files.ReadTree();

        foreach (KernelBaseFile baseFile in kernel.Bundle.BaseFilesFor(fileSystem))
        {
            FileSystemEntry entry = entries.Single(e => e.GuestPath == baseFile.GuestPath);
            switch (baseFile.Kind)
            {
                case KernelBaseFileKind.Directory:
                    Assert.Equal(FileSystemEntryKind.Directory, entry.Kind);
                    break;
                case KernelBaseFileKind.Symlink:
                    Assert.Equal(baseFile.Source, entry.SymlinkTarget);
                    break;
                default:
                    using (Stream content = files.OpenFile(baseFile.GuestPath))
                    using (var copy = new MemoryStream())
                    {
                        content.CopyTo(copy);
                        byte[] bundled = baseFile.Kind == KernelBaseFileKind.File ? File.ReadAllBytes(baseFile.Source!) : System.Text.Encoding.UTF8.GetBytes(baseFile.Source!);
                        Assert.True(bundled.AsSpan().SequenceEqual(copy.ToArray()), $"{baseFile.GuestPath} differs from the file in OSv's usr.img");
                    }

                    break;
            }
        }
    }

    [Fact]
    public void Fallback_MatchesSkeletons()
    {
        string build = OsvBuildEnvironment.RequireBuild();
        OsvBuildEnvironment.RequireSource();
        string emptySource = Directory.CreateDirectory(Path.Combine(kernel.Folder, "no-source")).FullName;
        var diagnostics = new DiagnosticBag();

        KernelBundle? fallback = KernelBundleImporter.Import(build, Path.Combine(kernel.Folder, "fallback"), new KernelImportOptions { SourceDirectory = emptySource }, diagnostics);

        Assert.True(fallback is not null, string.Join("\n", diagnostics));
        foreach (FileSystemKind fileSystem in kernel.Bundle.FileSystems)
        {
            List<KernelBaseFile> expected = [.. kernel.Bundle.BaseFilesFor(fileSystem)];
            List<KernelBaseFile> actual = [.. fallback.BaseFilesFor(fileSystem)];
            Assert.Equal(expected.Select(f => f.GuestPath), actual.Select(f => f.GuestPath));
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.True(Content(expected[i]).SequenceEqual(Content(actual[i])), $"{fileSystem} {expected[i].GuestPath}: the fallback differs from the skeleton's file");
            }
        }
    }

    // Evaluates the supplied_modules list of program::program in core/elf.cc: its #if, #ifdef, #else and
    // #endif lines over the given macros, its string literals and the linux_dl_soname constant.
    private static List<string> SuppliedModules(string elfCc, Dictionary<string, long> macros, string linuxDl)
    {
        int start = elfCc.IndexOf("supplied_modules = {", StringComparison.Ordinal);
        int end = elfCc.IndexOf("};", start, StringComparison.Ordinal);
        Assert.True(start >= 0, "core/elf.cc has no supplied_modules list");
        Assert.True(end > start, "core/elf.cc's supplied_modules list has no end");

        var result = new List<string>();
        var conditions = new Stack<bool>();
        foreach (string raw in elfCc[start..end].Split('\n').Skip(1))
        {
            string line = raw.Trim();
            if (line.StartsWith("#ifdef ", StringComparison.Ordinal))
            {
                conditions.Push(macros.ContainsKey(line["#ifdef ".Length..].Trim()));
            }
            else if (line.StartsWith("#if ", StringComparison.Ordinal))
            {
                Match comparison = Regex.Match(line, @"^#if (\w+) < (\d+)$");
                Assert.True(comparison.Success, $"core/elf.cc has a condition this test cannot evaluate: {line}");
                conditions.Push(macros[comparison.Groups[1].Value] < long.Parse(comparison.Groups[2].Value, CultureInfo.InvariantCulture));
            }
            else if (line.StartsWith("#else", StringComparison.Ordinal))
            {
                conditions.Push(!conditions.Pop());
            }
            else if (line.StartsWith("#endif", StringComparison.Ordinal))
            {
                conditions.Pop();
            }
            else if (conditions.All(c => c) && !line.StartsWith("//", StringComparison.Ordinal))
            {
                result.AddRange(Regex.Matches(line, "\"([^\"]+)\"").Select(m => m.Groups[1].Value));
                if (line.StartsWith("linux_dl_soname", StringComparison.Ordinal))
                {
                    result.Add(linuxDl);
                }
            }
        }

        return result;
    }

    private static byte[] Content(KernelBaseFile file) => file.Kind switch
    {
        KernelBaseFileKind.File => File.ReadAllBytes(file.Source!),
        KernelBaseFileKind.Directory => [],
        _ => System.Text.Encoding.UTF8.GetBytes(file.Source!),
    };

    private static string GuestPathOf(GuestNode node)
    {
        var names = new Stack<string>();
        for (GuestNode? current = node; current?.Parent is not null; current = current.Parent)
        {
            names.Push(current.Name);
        }

        return "/" + string.Join('/', names);
    }
}
