using System.Security.Cryptography;

namespace Osv.ImageBuilder.Build.Reports;

/// <summary>The checksums of one host file that the report (SHA-256) and the SBOM (SHA-1 and SHA-256) need.</summary>
/// <param name="Sha256">The SHA-256 as lowercase hex.</param>
/// <param name="Sha1">The SHA-1 as lowercase hex; SPDX 2.3 requires it for every file.</param>
public sealed record FileDigest(string Sha256, string Sha1)
{
    private const int BufferSize = 1 << 20;

    /// <summary>Reads <paramref name="path"/> once and computes both checksums.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened.</exception>
    public static FileDigest Compute(string path, CancellationToken cancellationToken = default)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, BufferSize)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sha256.AppendData(buffer, 0, read);
                sha1.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return new FileDigest(Convert.ToHexStringLower(sha256.GetHashAndReset()), Convert.ToHexStringLower(sha1.GetHashAndReset()));
    }
}
