using Osv.Diagnostics;
using Osv.Plan;

namespace Osv.ImageBuilder.Build.Reports;

/// <summary>
/// Computes the checksums of host files on a worker thread while the build goes on. A build that
/// writes an SBOM hands it the plan's files as soon as the project is expanded. The files that the
/// kernel and the DT_NEEDED closure add follow later, so the hashing of a large payload overlaps the
/// ELF analysis and the image write instead of following them. Batches run one after another.
/// </summary>
/// <remarks>
/// Only the worker touches the checksums until <see cref="Finish"/> returns them; the caller passes
/// each batch as a list of its own, so the plan can change while a batch is hashed.
/// </remarks>
internal sealed class DigestWorker
{
    private readonly bool _includeSha1;
    private readonly CancellationToken _cancellation;
    private readonly Dictionary<string, FileDigest> _digests = new(StringComparer.Ordinal);

    // Every host path hashed or tried, so that a later batch skips it, and reports a failure only once.
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<Diagnostic> _errors = [];
    private Task _chain = Task.CompletedTask;

    /// <param name="includeSha1">Whether to compute SHA-1 beside SHA-256, which an SBOM needs.</param>
    /// <param name="cancellation">Stops the hashing between blocks.</param>
    public DigestWorker(bool includeSha1, CancellationToken cancellation)
    {
        _includeSha1 = includeSha1;
        _cancellation = cancellation;
    }

    /// <summary>Queues the files that no earlier batch named.</summary>
    public void Add(IEnumerable<GuestFile> files)
    {
        List<GuestFile> batch = files.ToList();
        Task previous = _chain;
        _chain = Task.Run(() =>
        {
            // A failed or cancelled batch stops the chain; Finish rethrows its exception.
            previous.GetAwaiter().GetResult();
            Hash(batch);
        }, _cancellation);
    }

    /// <summary>Waits for every batch and returns the checksums by host path and the files that could not be read.</summary>
    /// <exception cref="OperationCanceledException">The build was cancelled.</exception>
    public (Dictionary<string, FileDigest> Digests, List<Diagnostic> Errors) Finish()
    {
        _chain.GetAwaiter().GetResult();
        return (_digests, _errors);
    }

    /// <summary>Waits for the worker without throwing, so that no thread outlives a failed build.</summary>
    public void Abandon()
    {
        try
        {
            _chain.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Cancelled or failed: the stage that stopped the build has already reported the cause.
        }
    }

    private void Hash(List<GuestFile> files)
    {
        foreach (GuestFile file in files)
        {
            if (!_seen.Add(file.HostPath))
            {
                continue;
            }

            try
            {
                _digests.Add(file.HostPath, FileDigest.Compute(file.HostPath, _includeSha1, _cancellation));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                _errors.Add(new Diagnostic(BuildDiagnosticCodes.HostFileUnreadable, DiagnosticSeverity.Error,
                    $"The host file '{file.HostPath}' of '{file.GuestPath}' cannot be read: {exception.Message}",
                    file.Origin));
            }
        }
    }
}
