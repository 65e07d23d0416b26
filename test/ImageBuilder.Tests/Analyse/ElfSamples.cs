using Osv.ImageBuilder.Kernel;

namespace Osv.ImageBuilder.Tests.Analyse;

/// <summary>
/// Small ELF files built with the host's gcc once per test run, in a temporary folder that is removed
/// when the process exits. Each property is the host path of one sample.
/// </summary>
internal sealed class ElfSamples
{
    private static readonly Lazy<ElfSamples> s_shared = new(() => new ElfSamples(), LazyThreadSafetyMode.ExecutionAndPublication);

    private ElfSamples()
    {
        Root = Directory.CreateTempSubdirectory("osv-elf-samples-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(Root);
        Build();
    }

    /// <summary>Gets the samples, building them on first use; skips the test when gcc is missing.</summary>
    public static ElfSamples Shared
    {
        get
        {
            if (!HostTools.Exists("gcc"))
            {
                Assert.Skip("gcc is missing; run .ci/install-prerequisites.");
            }

            return s_shared.Value;
        }
    }

    /// <summary>Gets the temporary folder that contains every sample.</summary>
    public string Root { get; }

    public string SharedObject => Path.Combine(Root, "libshared.so.1");
    public string Pie => Path.Combine(Root, "pie");
    public string NonPie => Path.Combine(Root, "nonpie");
    public string Static => Path.Combine(Root, "static");
    public string ObjectFile => Path.Combine(Root, "object.o");
    public string Tls => Path.Combine(Root, "libtls.so");
    public string RunPathProgram => Path.Combine(Root, "app/bin/main");
    public string RunPathLibrary => Path.Combine(Root, "app/lib/libdep.so");
    public string NeedsIsolated => Path.Combine(Root, "libneedsgone.so");
    public string IsolatedLibrary => Path.Combine(Root, "gone/libgone.so");
    public string Undefined => Path.Combine(Root, "libundefined.so");
    public string DataDefinitionsBuild => Path.Combine(Root, "datadef-build/libdatadef.so");
    public string DataDefinitionsRuntime => Path.Combine(Root, "datadef-run/libdatadef.so");
    public string VersionedNew => Path.Combine(Root, "new/libv.so.1");
    public string VersionedOld => Path.Combine(Root, "old/libv.so.1");
    public string VersionedUser => Path.Combine(Root, "libvuser.so");
    public string FooOld => Path.Combine(Root, "libfooold.so");
    public string PreFoo => Path.Combine(Root, "libprefoo.so");
    public string HiddenBuild => Path.Combine(Root, "hidden-build/libh.so.1");
    public string HiddenRuntime => Path.Combine(Root, "hidden-run/libh.so.1");
    public string HiddenUser => Path.Combine(Root, "libhuser.so");
    public string BracedOrigin => Path.Combine(Root, "libbraced.so");
    public string KernelSoname => Path.Combine(Root, "libfakem.so");
    public string Chain => Path.Combine(Root, "chain/libtop.so");
    public string ChainMiddle => Path.Combine(Root, "chain/libmiddle.so");
    public string ChainBottom => Path.Combine(Root, "chain/libbottom.so");
    public string EventProgram => Path.Combine(Root, "event-echo");
    public string RPathProgram => Path.Combine(Root, "rpath-program");

    /// <summary>The profile of a current x86-64 OSv kernel, with the sonames its loader provides (core/elf.cc) and no export list.</summary>
    public static KernelProfile CurrentKernel(IReadOnlySet<string>? exports = null) => new()
    {
        Architecture = "x86_64",
        Machine = 62,
        AcceptsExecutables = true,
        KernelStart = 0x40200000,
        KernelEnd = 0x40200000 + 0x4000000,
        ProvidedSonames = new HashSet<string>(StringComparer.Ordinal)
        {
            "ld-linux-x86-64.so.2", "libresolv.so.2", "libc.so.6", "libm.so.6", "libc.musl-x86_64.so.1",
            "ld-musl-x86_64.so.1", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libaio.so.1",
            "libxenstore.so.3.0", "libcrypt.so.1", "libutil.so",
        },
        ExportedSymbols = exports,
        Version = "test",
    };

    // Builds every sample. Each gcc call names its output, so a failure shows which one broke.
    private void Build()
    {
        string shared = Write("shared.c", "int shared_function(void) { return 1; }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libshared.so.1", "-o", SharedObject, shared);

        string main = Write("main.c", "int main(void) { return 0; }\n");
        Gcc("-fPIE", "-pie", "-o", Pie, main);
        Gcc("-fno-pie", "-no-pie", "-o", NonPie, main);
        Gcc("-static", "-o", Static, main);
        Gcc("-c", "-fPIC", "-o", ObjectFile, shared);

        string tls = Write("tls.c", "__thread int tls_counter = 1;\nint next(void) { return ++tls_counter; }\n");
        Gcc("-shared", "-fPIC", "-o", Tls, tls);

        // A program whose library sits in ../lib next to it, found through DT_RUNPATH $ORIGIN/../lib.
        string dep = Write("dep.c", "int dep_value = 42;\nint dep_function(void) { return dep_value; }\n");
        Directory.CreateDirectory(Path.GetDirectoryName(RunPathLibrary)!);
        Directory.CreateDirectory(Path.GetDirectoryName(RunPathProgram)!);
        Gcc("-shared", "-fPIC", "-Wl,-soname,libdep.so", "-o", RunPathLibrary, dep);
        string usesDep = Write("usesdep.c", "int dep_function(void);\nint main(void) { return dep_function(); }\n");
        Gcc("-fPIE", "-pie", "-o", RunPathProgram, usesDep, "-L" + Path.GetDirectoryName(RunPathLibrary), "-ldep", "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--enable-new-dtags");

        // A library that needs another one, which exists only in a folder that no search path names.
        Directory.CreateDirectory(Path.GetDirectoryName(IsolatedLibrary)!);
        string gone = Write("gone.c", "int gone_function(void) { return 3; }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libgone.so", "-o", IsolatedLibrary, gone);
        string needsGone = Write("needsgone.c", "int gone_function(void);\nint call_gone(void) { return gone_function(); }\n");
        Gcc("-shared", "-fPIC", "-o", NeedsIsolated, needsGone, "-L" + Path.GetDirectoryName(IsolatedLibrary), "-lgone");

        // Undefined symbols of every kind. The build-time libdatadef.so defines them, so the references
        // carry their types; a reference that nothing defines at link time would be STT_NOTYPE. The
        // runtime libdatadef.so defines none of them.
        Directory.CreateDirectory(Path.GetDirectoryName(DataDefinitionsBuild)!);
        Directory.CreateDirectory(Path.GetDirectoryName(DataDefinitionsRuntime)!);
        string definitions = Write("datadef.c", """
            int missing_variable = 1;
            __thread int missing_tls = 2;
            void missing_function(void) { }
            """);
        Gcc("-shared", "-fPIC", "-Wl,-soname,libdatadef.so", "-o", DataDefinitionsBuild, definitions);
        string empty = Write("empty.c", "int unrelated_function(void) { return 0; }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libdatadef.so", "-o", DataDefinitionsRuntime, empty);
        string undefined = Write("undefined.c", """
            extern int missing_variable;
            extern __thread int missing_tls;
            extern void missing_function(void);
            extern void missing_weak(void) __attribute__((weak));
            int use_missing(void)
            {
                if (missing_weak)
                {
                    missing_weak();
                }

                missing_function();
                return missing_variable + missing_tls;
            }
            """);
        Gcc("-shared", "-fPIC", "-o", Undefined, undefined, "-L" + Path.GetDirectoryName(DataDefinitionsBuild), "-ldatadef");

        // libv.so.1: the new build defines foo@VER_1 (hidden) and foo@@VER_2; the old one only foo@@VER_1.
        Directory.CreateDirectory(Path.GetDirectoryName(VersionedNew)!);
        Directory.CreateDirectory(Path.GetDirectoryName(VersionedOld)!);
        string newScript = Write("v-new.map", "VER_1 { global: foo; local: *; };\nVER_2 { global: foo; } VER_1;\n");
        string newSource = Write("v-new.c", """
            int foo_v1(void) { return 1; }
            int foo_v2(void) { return 2; }
            __asm__(".symver foo_v1,foo@VER_1");
            __asm__(".symver foo_v2,foo@@VER_2");
            """);
        Gcc("-shared", "-fPIC", "-Wl,-soname,libv.so.1", "-Wl,--version-script=" + newScript, "-o", VersionedNew, newSource);
        string oldScript = Write("v-old.map", "VER_1 { global: foo; local: *; };\n");
        string oldSource = Write("v-old.c", "int foo(void) { return 1; }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libv.so.1", "-Wl,--version-script=" + oldScript, "-o", VersionedOld, oldSource);
        string vUser = Write("vuser.c", "int foo(void);\nint call_foo(void) { return foo(); }\n");
        Gcc("-shared", "-fPIC", "-o", VersionedUser, vUser, "-L" + Path.GetDirectoryName(VersionedNew), "-l:libv.so.1");

        // libfooold.so defines foo@@VER_1 under another soname. libprefoo.so needs it before libvuser.so,
        // so OSv finds foo there first when it looks up foo@VER_2 for libvuser.so.
        string fooOld = Write("fooold.c", "int foo(void) { return 1; }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libfooold.so", "-Wl,--version-script=" + oldScript, "-o", FooOld, fooOld);
        string preFoo = Write("prefoo.c", "int call_foo(void);\nint start(void) { return call_foo(); }\n");
        Gcc("-shared", "-fPIC", "-o", PreFoo, preFoo, "-L" + Root, "-Wl,--no-as-needed", "-lfooold", "-lvuser", "-Wl,-rpath-link," + Path.GetDirectoryName(VersionedNew));

        // libh.so.1: built with bar@@VER_1, but the runtime copy keeps bar@VER_1 only as a hidden version.
        Directory.CreateDirectory(Path.GetDirectoryName(HiddenBuild)!);
        Directory.CreateDirectory(Path.GetDirectoryName(HiddenRuntime)!);
        string hScript = Write("h.map", "VER_1 { global: bar; local: *; };\n");
        string hBuild = Write("h-build.c", "int bar(void) { return 1; }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libh.so.1", "-Wl,--version-script=" + hScript, "-o", HiddenBuild, hBuild);
        string hRuntimeScript = Write("h-run.map", "VER_1 { local: *; };\nVER_2 { global: other; } VER_1;\n");
        string hRuntime = Write("h-run.c", """
            int bar_old(void) { return 1; }
            int other(void) { return 2; }
            __asm__(".symver bar_old,bar@VER_1");
            """);
        Gcc("-shared", "-fPIC", "-Wl,-soname,libh.so.1", "-Wl,--version-script=" + hRuntimeScript, "-o", HiddenRuntime, hRuntime);
        string hUser = Write("huser.c", "int bar(void);\nint call_bar(void) { return bar(); }\n");
        Gcc("-shared", "-fPIC", "-o", HiddenUser, hUser, "-L" + Path.GetDirectoryName(HiddenBuild), "-l:libh.so.1");

        // A DT_RUNPATH with ${ORIGIN}, which OSv leaves as written.
        Gcc("-shared", "-fPIC", "-o", BracedOrigin, shared, "-Wl,-rpath,${ORIGIN}/lib", "-Wl,--enable-new-dtags");

        // A library that claims a soname the kernel provides.
        Gcc("-shared", "-fPIC", "-Wl,-soname,libm.so.6", "-o", KernelSoname, shared);

        // top -> middle -> bottom, all in one folder; top also needs bottom directly, after middle.
        Directory.CreateDirectory(Path.GetDirectoryName(Chain)!);
        string bottom = Write("bottom.c", "int bottom_function(void) { return 1; }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libbottom.so", "-o", ChainBottom, bottom);
        string middle = Write("middle.c", "int bottom_function(void);\nint middle_function(void) { return bottom_function(); }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libmiddle.so", "-o", ChainMiddle, middle, "-L" + Path.GetDirectoryName(Chain), "-lbottom");
        string top = Write("top.c", "int middle_function(void);\nint bottom_function(void);\nint top_function(void) { return middle_function() + bottom_function(); }\n");
        Gcc("-shared", "-fPIC", "-Wl,-soname,libtop.so", "-o", Chain, top, "-L" + Path.GetDirectoryName(Chain), "-lmiddle", "-lbottom");

        // A program whose DT_RPATH (not DT_RUNPATH) names the chain folder, where libmiddle.so needs
        // libbottom.so. glibc also searches the program's DT_RPATH for the DT_NEEDED entries of libmiddle.so.
        string usesMiddle = Write("usesmiddle.c", "int middle_function(void);\nint main(void) { return middle_function(); }\n");
        Gcc("-fPIE", "-pie", "-o", RPathProgram, usesMiddle, "-L" + Path.GetDirectoryName(Chain), "-lmiddle", "-Wl,-rpath," + Path.GetDirectoryName(Chain), "-Wl,--disable-new-dtags");

        // A program against Debian's libevent (libevent-dev), with its OpenSSL and pthreads companions.
        string eventSource = Write("event.c", """
            struct event_base;
            struct event_base *event_base_new(void);
            void *bufferevent_openssl_socket_new(void);
            int evthread_use_pthreads(void);
            int main(void) { return event_base_new() == 0; }
            """);
        if (File.Exists("/usr/lib/x86_64-linux-gnu/libevent.so"))
        {
            Gcc("-fPIE", "-pie", "-o", EventProgram, eventSource, "-Wl,--no-as-needed", "-levent_openssl", "-levent_pthreads", "-levent");
        }
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(Root, "src", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private void Gcc(params string[] arguments)
    {
        (int exitCode, _, string error) = HostTools.Run("gcc", arguments, Root);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"gcc {string.Join(' ', arguments)} failed with exit code {exitCode}: {error}");
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}
