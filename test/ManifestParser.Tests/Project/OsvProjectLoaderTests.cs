using Osv.Diagnostics;
using Osv.ManifestParser.Tests.Support;
using Osv.Manifests.Project;

namespace Osv.ManifestParser.Tests.Project;

public class OsvProjectLoaderTests
{
    private const string ProjectPath = "/work/app/osv.yaml";

    [Fact]
    public void Full_sample_fields()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Project", "Samples", "valid", "full.yaml");
        string folder = Path.GetDirectoryName(path)!;

        OsvProject project = Assert.IsType<OsvProject>(OsvProjectLoader.Load(path, new DiagnosticBag()));

        Assert.Equal("hello", project.Name);
        Assert.Equal(Path.Combine(folder, "kernel/osv-v0.57"), project.Kernel);
        Assert.Equal(new SourceLocation(path, 3, 9), project.KernelLocation);
        Assert.Equal(ProjectFileSystem.Zfs, project.FileSystem);
        Assert.Equal(ImageFormat.Vmdk, project.Format);
        Assert.Equal(1L << 30, project.ImageSize);
        Assert.Equal(Path.Combine(folder, "bin/image"), project.OutputDirectory);
        Assert.False(project.AddMissingLibraries);
        Assert.True(project.Sbom);
        Assert.Equal(["/usr/lib/x86_64-linux-gnu"], project.LibraryPaths);
        Assert.Equal(["/data", "/var/log"], project.Directories.Select(d => d.GuestPath));
        ExtraFile file = Assert.Single(project.Files);
        Assert.Equal("/etc/app.conf", file.GuestPath);
        Assert.Equal(Path.Combine(folder, "config/app.conf"), file.HostPath);
        Assert.Equal(new SourceLocation(path, 25, 3), file.Location);
    }

    [Fact]
    public void Full_sample_command()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Project", "Samples", "valid", "full.yaml");

        ProjectCommand command = Assert.IsType<OsvProject>(OsvProjectLoader.Load(path, new DiagnosticBag())).Command!;

        Assert.Equal("/app/server.so", command.Program);
        Assert.Equal(["--port", "8080", "hello world"], command.Arguments);
        Assert.Equal([new("PORT", "8080"), new("MODE", "production")], command.Environment);
        Assert.Equal("/app", command.WorkingDirectory);
        Assert.Equal(["--verbose"], command.KernelOptions);
    }

    [Fact]
    public void Full_sample_manifests()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Project", "Samples", "valid", "full.yaml");
        string folder = Path.GetDirectoryName(path)!;

        OsvProject project = Assert.IsType<OsvProject>(OsvProjectLoader.Load(path, new DiagnosticBag()));

        Assert.Equal(2, project.Manifests.Count);
        ProjectManifest simple = project.Manifests[0];
        Assert.Equal(Path.Combine(folder, "usr.manifest"), simple.Path);
        Assert.Equal(folder, simple.BaseDirectory);
        Assert.Equal(folder, simple.Variables["MODULE_DIR"]);
        ProjectManifest detailed = project.Manifests[1];
        Assert.Equal(Path.Combine(folder, "build/release"), detailed.BaseDirectory);
        Assert.Equal("/usr/lib/gcc/x86_64-linux-gnu/12", detailed.Definitions["libgcc_s_dir"]);
        Assert.Equal("/osv", detailed.Variables["OSV_BASE"]);
        Assert.Equal(Path.Combine(folder, "modules/extra"), detailed.Variables["MODULE_DIR"]);
    }

    [Fact]
    public void Defaults_of_minimal_project()
    {
        OsvProject project = Load("command:\n  program: /hello.so\n")!;

        Assert.Equal("app", project.Name);
        Assert.Null(project.Kernel);
        Assert.Equal(ProjectFileSystem.Rofs, project.FileSystem);
        Assert.Equal(ImageFormat.Qcow2, project.Format);
        Assert.Equal(512L * 1024 * 1024, project.ImageSize);
        Assert.True(project.AddMissingLibraries);
        Assert.False(project.Sbom);
        Assert.Equal("/work/app/out", project.OutputDirectory);
        Assert.Empty(project.Manifests);
        Assert.Null(project.Command!.WorkingDirectory);
    }

    [Theory]
    [InlineData("comand:\n  program: /a\n", ProjectCodes.UnknownKey, 1, 1, "did you mean 'command'")]
    [InlineData("name: x\nlibrary-paths: [/a]\n", ProjectCodes.UnknownKey, 2, 1, "did you mean 'library_paths'")]
    [InlineData("image:\n  formt: raw\n", ProjectCodes.UnknownKey, 2, 3, "did you mean 'format'")]
    [InlineData("zzzzzzzz: 1\n", ProjectCodes.UnknownKey, 1, 1, "the keys are name, kernel")]
    [InlineData("command:\n  program: /a\n  cwd: /\n", ProjectCodes.UnknownKey, 3, 3, "'cwd' is not a key of 'command'")]
    [InlineData("manifests:\n  - path: a\n    defines: {}\n", ProjectCodes.UnknownKey, 3, 5, "did you mean 'definitions'")]
    [InlineData("manifests: usr.manifest\n", ProjectCodes.WrongType, 1, 12, "must be a list")]
    [InlineData("name: [a]\n", ProjectCodes.WrongType, 1, 7, "must be a string")]
    [InlineData("image: big\n", ProjectCodes.WrongType, 1, 8, "must be a mapping")]
    [InlineData("add_missing_libraries: yes\n", ProjectCodes.WrongType, 1, 24, "true or false")]
    [InlineData("command:\n  environment: [A]\n  program: /a\n", ProjectCodes.WrongType, 2, 16, "mapping of names")]
    [InlineData("filesystem: ext4\n", ProjectCodes.InvalidEnumValue, 1, 13, "use one of rofs, zfs, ramfs")]
    [InlineData("filesystem: ROFS\n", ProjectCodes.InvalidEnumValue, 1, 13, "lower case: rofs")]
    [InlineData("image:\n  format: vhd\n", ProjectCodes.InvalidEnumValue, 2, 11, "raw, qcow2, vmdk")]
    [InlineData("image:\n  size: 1.5G\n", ProjectCodes.InvalidSize, 2, 9, "whole number")]
    [InlineData("image:\n  size: 1000\n", ProjectCodes.InvalidSize, 2, 9, "multiple of 512")]
    [InlineData("image:\n  size: 0\n", ProjectCodes.InvalidSize, 2, 9, "positive multiple")]
    [InlineData("image:\n  size: 99999999999T\n", ProjectCodes.InvalidSize, 2, 9, "too large")]
    [InlineData("command:\n  arguments: [a]\n", ProjectCodes.MissingValue, 2, 3, "no 'program'")]
    [InlineData("kernel:\n", ProjectCodes.MissingValue, 1, 8, "has no value")]
    [InlineData("manifests:\n  - definitions: {}\n", ProjectCodes.MissingValue, 2, 5, "no 'path'")]
    [InlineData("files:\n  etc/x: y\n", ProjectCodes.InvalidGuestPath, 2, 3, "not absolute")]
    [InlineData("directories: [/a//b]\n", ProjectCodes.InvalidGuestPath, 1, 15, "empty component")]
    [InlineData("command:\n  program: /a\n  working_directory: rel\n", ProjectCodes.InvalidGuestPath, 3, 22, "not absolute")]
    [InlineData("name: a\nname: b\n", ProjectCodes.InvalidYaml, 2, 1, "The key 'name' appears twice")]
    [InlineData("name: a\ncommand:\n\tprogram: /a\n", ProjectCodes.InvalidYaml, 3, 1, "tab")]
    [InlineData("command:\n  program: /a\n  arguments: [a, b\nfiles:\n  /a: a\n", ProjectCodes.InvalidYaml, 3, 16, "unclosed '['")]
    [InlineData("name: [a\n", ProjectCodes.InvalidYaml, 2, 1, "not valid YAML")]
    [InlineData("", ProjectCodes.InvalidDocument, 1, 1, "empty")]
    [InlineData("- a\n", ProjectCodes.InvalidDocument, 1, 1, "must be a mapping")]
    [InlineData("name: a\n---\nname: b\n", ProjectCodes.InvalidDocument, 1, 1, "2 YAML documents")]
    public void Error_code_position_and_text(string yaml, string code, int line, int column, string fragment)
    {
        var diagnostics = new DiagnosticBag();

        OsvProject? project = OsvProjectLoader.LoadText(yaml, ProjectPath, diagnostics);

        Assert.Null(project);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(new SourceLocation(ProjectPath, line, column), diagnostic.Location);
        Assert.Contains(fragment, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_errors_are_reported()
    {
        var diagnostics = new DiagnosticBag();

        OsvProjectLoader.LoadText("filesystem: ext4\nimage:\n  size: x\nbogus: 1\n", ProjectPath, diagnostics);

        Assert.Equal([ProjectCodes.InvalidEnumValue, ProjectCodes.InvalidSize, ProjectCodes.UnknownKey], diagnostics.Select(d => d.Code));
    }

    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("4k", 4096L)]
    [InlineData("1T", 1L << 40)]
    [InlineData("1048576", 1048576L)]
    [InlineData(" 64 M ", 64L << 20)]
    public void Size_forms(string text, long expected)
    {
        OsvProject project = Load($"image:\n  size: \"{text}\"\n")!;

        Assert.Equal(expected, project.ImageSize);
    }

    [Fact]
    public void Quoted_values_are_strings()
    {
        OsvProject project = Load("command:\n  program: \"/a b.so\"\n  arguments: ['true', \"~\"]\n")!;

        Assert.Equal(["true", "~"], project.Command!.Arguments);
    }

    [Fact]
    public void Manifest_variables_override_default()
    {
        OsvProject project = Load("manifests:\n  - path: m/usr.manifest\n    variables: {MODULE_DIR: /x}\n")!;

        Assert.Equal("/x", project.Manifests[0].Variables["MODULE_DIR"]);
        Assert.Equal("/work/app/m", project.Manifests[0].BaseDirectory);
    }

    [Fact]
    public void Manifest_location_kept()
    {
        OsvProject project = Load("name: a\nmanifests:\n  - one.manifest\n  - path: two.manifest\n")!;

        Assert.Equal([3, 4], project.Manifests.Select(m => m.Location.Line));
    }

    [Fact]
    public void Missing_project_file()
    {
        var diagnostics = new DiagnosticBag();

        OsvProject? project = OsvProjectLoader.Load("/nonexistent/osv.yaml", diagnostics);

        Assert.Null(project);
        Assert.Equal(ProjectCodes.UnreadableProject, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Load_resolves_against_file_folder()
    {
        using var temp = new TempDirectory();
        string path = temp.File("proj/osv.yaml", "kernel: ../kernels/k\n");

        OsvProject project = OsvProjectLoader.Load(path, new DiagnosticBag())!;

        Assert.Equal(temp["kernels/k"], project.Kernel);
        Assert.Equal("proj", project.Name);
        Assert.Equal(path, project.ProjectFile);
    }

    [Fact]
    public void Mutated_projects_give_diagnostics_not_exceptions()
    {
        // Every edit of the full sample: deleted, repeated or replaced characters, including the
        // brackets, quotes, colons and tabs that YAML scanners trip over.
        string sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Project", "Samples", "valid", "full.yaml"));
        const string Alphabet = "[]{}\"':,-#&*!|>%@` \t\nab1/";
        var random = new Random(4242);
        for (int round = 0; round < 3000; round++)
        {
            char[] text = sample.ToCharArray();
            int edits = random.Next(1, 4);
            var mutated = new System.Text.StringBuilder(new string(text));
            for (int e = 0; e < edits && mutated.Length > 0; e++)
            {
                int at = random.Next(mutated.Length);
                switch (random.Next(3))
                {
                    case 0:
                        mutated.Remove(at, 1);
                        break;
                    case 1:
                        mutated.Insert(at, mutated[at]);
                        break;
                    default:
                        mutated[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                }
            }

            var diagnostics = new DiagnosticBag();
            string yaml = mutated.ToString();
            Exception? thrown = Record.Exception(() => OsvProjectLoader.LoadText(yaml, ProjectPath, diagnostics));

            Assert.True(thrown is null, $"round {round} threw {thrown}\n--- input\n{yaml}");
            Assert.All(diagnostics, d => Assert.True(d.Location?.Line is null or >= 1, $"round {round}: {d}"));
        }
    }

    private static OsvProject? Load(string yaml)
    {
        var diagnostics = new DiagnosticBag();
        OsvProject? project = OsvProjectLoader.LoadText(yaml, ProjectPath, diagnostics);
        Assert.Empty(diagnostics);
        return project;
    }
}
