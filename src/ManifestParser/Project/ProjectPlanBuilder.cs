using Osv.Diagnostics;
using Osv.Manifests.Expand;
using Osv.Manifests.Parse;
using Osv.Plan;

namespace Osv.Manifests.Project;

/// <summary>Builds the image plan of an <see cref="OsvProject"/>: manifests, then extra files, then extra directories.</summary>
internal static class ProjectPlanBuilder
{
    public static ImagePlan Build(OsvProject project, DiagnosticBag diagnostics)
    {
        var plan = new ImagePlan();
        var expander = new PlanExpander(new ExpansionOptions { Target = project.ManifestTarget });

        foreach (ProjectManifest manifest in project.Manifests)
        {
            if (!File.Exists(manifest.Path))
            {
                diagnostics.Error(ProjectCodes.FileNotFound,
                    $"The manifest '{manifest.Path}' does not exist; check the path, which is relative to the folder of osv.yaml.",
                    manifest.Location);
                continue;
            }

            var reader = new ManifestReader(new ManifestReaderOptions
            {
                Definitions = manifest.Definitions,
                ModuleVariables = manifest.Variables,
                BaseDirectory = manifest.BaseDirectory,
                Target = project.ManifestTarget,
            });
            IReadOnlyList<ManifestEntry> entries = reader.ReadFile(manifest.Path, diagnostics);
            expander.ExpandInto(plan, entries, diagnostics);
        }

        // Extra files follow the manifest rules for a plain host path: links resolved, directories empty.
        var fileEntries = project.Files.Select(file => new ManifestEntry
        {
            GuestPath = file.GuestPath,
            NormalizedGuestPath = file.GuestPath,
            HostSpec = file.HostPath,
            Kind = ManifestEntryKind.HostPath,
            HostPath = file.HostPath,
            Location = file.Location,
            HostLocation = file.Location,
        });
        expander.ExpandInto(plan, fileEntries, diagnostics);

        foreach (ExtraDirectory directory in project.Directories)
        {
            try
            {
                plan.AddDirectory(directory.GuestPath, directory.Location);
            }
            catch (InvalidOperationException exception)
            {
                diagnostics.Error(ManifestCodes.GuestPathConflict,
                    $"The guest directory '{directory.GuestPath}' cannot be created: {exception.Message} Remove it from 'directories' or move the conflicting file.",
                    directory.Location);
            }
        }

        return plan;
    }
}
