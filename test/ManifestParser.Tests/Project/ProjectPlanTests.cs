using Osv.Diagnostics;
using Osv.ManifestParser.Tests.Support;
using Osv.Manifests.Parse;
using Osv.Manifests.Project;
using Osv.Plan;

namespace Osv.ManifestParser.Tests.Project;

public sealed class ProjectPlanTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Plan_has_manifests_files_directories_in_order()
    {
        _folder.File("app/hello.so", "elf");
        _folder.File("app/usr.manifest", "/hello.so: ${MODULE_DIR}/hello.so\n/lib/libhello.so: %(name)s\n");
        _folder.File("conf/app.conf", "k=v");
        string yaml = """
            manifests:
              - path: app/usr.manifest
                definitions: {name: hello.so}
            files:
              /etc/app.conf: conf/app.conf
            directories: [/data]
            """;

        var (plan, diagnostics) = BuildPlan(yaml);

        Assert.Empty(diagnostics);
        Assert.Equal(["/hello.so", "/lib/libhello.so", "/etc/app.conf", "/data"], plan.Entries.Select(e => e.GuestPath));
        Assert.Equal(_folder["app/hello.so"], Assert.IsType<GuestFile>(plan.Find("/lib/libhello.so")).HostPath);
        Assert.Equal(_folder["osv.yaml"], plan.Find("/etc/app.conf")!.Origin!.Value.File);
        Assert.Equal(6, plan.Find("/data")!.Origin!.Value.Line);
    }

    [Fact]
    public void Missing_manifest_names_yaml_line()
    {
        var (_, diagnostics) = BuildPlan("name: x\nmanifests:\n  - nothere.manifest\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ProjectCodes.FileNotFound, diagnostic.Code);
        Assert.Equal(new SourceLocation(_folder["osv.yaml"], 3, 5), diagnostic.Location);
    }

    [Fact]
    public void Missing_extra_file_names_yaml_line()
    {
        var (_, diagnostics) = BuildPlan("files:\n  /a: gone.txt\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.HostPathNotFound, diagnostic.Code);
        Assert.Equal(new SourceLocation(_folder["osv.yaml"], 2, 3), diagnostic.Location);
    }

    [Fact]
    public void File_overriding_manifest_is_reported()
    {
        _folder.File("one");
        _folder.File("two");
        _folder.File("usr.manifest", "/a: one\n");

        var (plan, diagnostics) = BuildPlan("manifests: [usr.manifest]\nfiles:\n  /a: two\n");

        Assert.Equal(ManifestCodes.DuplicateGuestPath, Assert.Single(diagnostics).Code);
        Assert.Equal(_folder["two"], Assert.IsType<GuestFile>(plan.Find("/a")).HostPath);
    }

    [Fact]
    public void Directory_over_file_conflicts()
    {
        _folder.File("f");

        var (_, diagnostics) = BuildPlan("files:\n  /a: f\ndirectories: [/a]\n");

        Assert.Equal(ManifestCodes.GuestPathConflict, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Ramfs_targets_bootfs()
    {
        _folder.File("usr.manifest", "/" + new string('n', 120) + ": usr.manifest\n");

        var (_, diagnostics) = BuildPlan("filesystem: ramfs\nmanifests: [usr.manifest]\n");

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ManifestCodes.NameTooLong, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
    }

    [Fact]
    public void Command_line_from_project()
    {
        _folder.File("osv.yaml", "command:\n  program: /app/run.so\n  arguments: [\"a b\"]\n  environment: {A: \"1\"}\n");
        OsvProject project = OsvProjectLoader.Load(_folder["osv.yaml"], new DiagnosticBag())!;

        Assert.Equal("--env=A=1 /app/run.so \"a b\"", project.BuildCommandLine(new DiagnosticBag()));
    }

    private (ImagePlan Plan, DiagnosticBag Diagnostics) BuildPlan(string yaml)
    {
        string path = _folder.File("osv.yaml", yaml);
        var diagnostics = new DiagnosticBag();
        OsvProject project = Assert.IsType<OsvProject>(OsvProjectLoader.Load(path, diagnostics));
        Assert.Empty(diagnostics);
        return (project.BuildPlan(diagnostics), diagnostics);
    }
}
