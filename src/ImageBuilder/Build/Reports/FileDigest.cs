using System.Security.Cryptography;

namespace Osv.ImageBuilder.Build.Reports;

/// <summary>The checksums of one host file that the report (SHA-256) and the SBOM (SHA-1 and SHA-256) need.</summary>
/// <param name="Sha256">The SHA-256 as lowercase hex.</param>
/// <param name="Sha1">
/// The SHA-1 as lowercase hex, or null when it was not computed; SPDX 2.3 requires it for every file,
/// so it is computed only for builds that write an SBOM.
/// </param>
public sealed record FileDigest(string Sha256, string? Sha1)
{
    private const int BufferSize = 1 << 20;

    /// <summary>Reads <paramref name="path"/> once and computes its SHA-256 and, when asked, its SHA-1.</summary>
    /// <param name="path">The host file.</param>
    /// <param name="includeSha1">Whether to compute the SHA-1 as well, which an SBOM needs.</param>
    /// <param name="cancellationToken">Stops the read between blocks.</param>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened.</exception>
    public static FileDigest Compute(string path, bool includeSha1 = true, CancellationToken cancellationToken = default)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using IncrementalHash? sha1 = includeSha1 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, BufferSize)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sha256.AppendData(buffer, 0, read);
                sha1?.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        string? sha1Hex = sha1 is null ? null : Convert.ToHexStringLower(sha1.GetHashAndReset());
        return new FileDigest(Convert.ToHexStringLower(sha256.GetHashAndReset()), sha1Hex);
    }
}
