using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Osv.Cli.Output;
using Osv.ImageBuilder.FileSystems;

namespace Osv.Cli.Commands;

/// <summary>The arguments and options that <c>build</c> and <c>check</c> share: what to build and how.</summary>
internal sealed class ProjectOptions
{
    public const string DefaultProjectFile = "osv.yaml";

    public Argument<string> Project { get; } = new("PROJECT")
    {
        Description = "The osv.yaml project file, a folder that contains one, or an OSv usr.manifest (then --cmdline is required).",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => DefaultProjectFile,
    };

    public Option<string?> CommandLine { get; } = new("--cmdline", "-c")
    {
        Description = "The OSv command line the image boots with, for example \"/hello.so world\". Overrides the project's. Default: the project's.",
        HelpName = "TEXT",
    };

    public Option<string?> FileSystem { get; } = new("--fs")
    {
        Description = "The filesystem of the image: rofs (read-only, smallest), zfs (read-write) or ramfs (needs a kernel bundle). Default: the project's, else rofs.",
        HelpName = "rofs|zfs|ramfs",
    };

    public Option<string?> Kernel { get; } = new("--kernel", "-k")
    {
        Description = "The kernel bundle folder made by 'dotnet osv kernel import'. Default: the project's; without one the tool writes a kernel-less disk that boots with an external kernel (qemu -kernel).",
        HelpName = "BUNDLE_DIR",
    };

    public Option<string[]> Defines { get; } = new("--define", "-D")
    {
        Description = "A manifest variable, NAME=VALUE, used where a manifest given as PROJECT writes %(NAME)s (OSv's -D). Repeat for several. For osv.yaml, set 'definitions' of the manifest instead. Default: none.",
        HelpName = "NAME=VALUE",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the JSON report on standard output instead of the summary; findings still go to standard error. Default: off.",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "Print only errors and warnings, no progress and no summary. Default: off.",
    };

    /// <summary>Gets or sets whether the stage timings are printed after the build (set by 'build --timings').</summary>
    public bool ShowTimings { get; set; }

    /// <summary>Gets or sets whether the SPDX SBOM is written beside the image (set by 'build --sbom').</summary>
    public bool WriteSbom { get; set; }

    public ProjectOptions()
    {
        // An unknown option would otherwise be taken as the project path.
        Project.Validators.Add(result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (value is not null && value.StartsWith('-'))
            {
                result.AddError($"Unrecognized option '{value}'.");
            }
        });
        FileSystem.AcceptOnlyFromAmong("rofs", "zfs", "ramfs");
        Defines.Validators.Add(result =>
        {
            foreach (string define in result.Tokens.Select(t => t.Value))
            {
                if (!TryParseDefine(define, out _, out _))
                {
                    result.AddError($"The definition '{define}' is invalid; write NAME=VALUE, for example -D libgcc_s_dir=/usr/lib/x86_64-linux-gnu.");
                }
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Arguments.Add(Project);
        command.Options.Add(CommandLine);
        command.Options.Add(FileSystem);
        command.Options.Add(Kernel);
        command.Options.Add(Defines);
        command.Options.Add(Json);
        command.Options.Add(Quiet);
    }

    public static FileSystemKind? ParseFileSystem(string? name) => name switch
    {
        null => null,
        "rofs" => FileSystemKind.Rofs,
        "zfs" => FileSystemKind.Zfs,
        "ramfs" => FileSystemKind.Ramfs,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "The parser accepts only rofs, zfs and ramfs."),
    };

    public Dictionary<string, string> ReadDefines(ParseResult parseResult)
    {
        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string define in parseResult.GetValue(Defines) ?? [])
        {
            if (TryParseDefine(define, out string name, out string value))
            {
                defines[name] = value;
            }
        }

        return defines;
    }

    // SOURCE_DATE_EPOCH from the environment (reproducible-builds.org), else 0.
    public static bool TryReadSourceDateEpoch(out long seconds, out string? error)
    {
        string? text = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        error = null;
        seconds = 0;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
        {
            error = $"SOURCE_DATE_EPOCH is '{text}', which is not a number of seconds since 1970-01-01; set it to an integer such as $(git log -1 --format=%ct) or unset it.";
            return false;
        }

        return true;
    }

    private static bool TryParseDefine(string text, out string name, out string value)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        name = equals > 0 ? text[..equals] : string.Empty;
        value = equals > 0 ? text[(equals + 1)..] : string.Empty;
        return equals > 0;
    }
}
