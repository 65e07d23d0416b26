// SPDX 2.3 fixes SHA-1 for file checksums and the verification code, so the tests compute it too.
#pragma warning disable CA5350

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Osv.ImageBuilder.Build.Reports;

namespace Osv.Cli.Tests.Reports;

public class SpdxWriterTests
{
    [Fact]
    public void Document_has_required_fields()
    {
        using var temp = new TempDirectory();
        (BuildReport report, Dictionary<string, FileDigest> digests) = Sample(temp);

        using JsonDocument document = JsonDocument.Parse(Write(report, digests, sourceDateEpoch: 0));
        JsonElement root = document.RootElement;

        Assert.Equal("SPDX-2.3", root.GetProperty("spdxVersion").GetString());
        Assert.Equal("CC0-1.0", root.GetProperty("dataLicense").GetString());
        Assert.Equal("SPDXRef-DOCUMENT", root.GetProperty("SPDXID").GetString());
        Assert.Equal("1970-01-01T00:00:00Z", root.GetProperty("creationInfo").GetProperty("created").GetString());
        Assert.Equal(2, root.GetProperty("files").GetArrayLength());
        Assert.Equal(3, root.GetProperty("relationships").GetArrayLength());
    }

    [Fact]
    public void Files_carry_sha1_and_sha256()
    {
        using var temp = new TempDirectory();
        (BuildReport report, Dictionary<string, FileDigest> digests) = Sample(temp);

        using JsonDocument document = JsonDocument.Parse(Write(report, digests, sourceDateEpoch: 0));
        JsonElement file = document.RootElement.GetProperty("files")[0];
        Dictionary<string, string?> checksums = file.GetProperty("checksums").EnumerateArray()
            .ToDictionary(c => c.GetProperty("algorithm").GetString()!, c => c.GetProperty("checksumValue").GetString());

        Assert.Equal("./app/a.so", file.GetProperty("fileName").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("alpha"u8)), checksums["SHA256"]);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData("alpha"u8)), checksums["SHA1"]);
    }

    [Fact]
    public void VerificationCode_follows_spdx()
    {
        using var temp = new TempDirectory();
        (BuildReport report, Dictionary<string, FileDigest> digests) = Sample(temp);
        string expected = Convert.ToHexStringLower(SHA1.HashData(Encoding.ASCII.GetBytes(
            string.Concat(new[] { "alpha", "beta" }.Select(t => Convert.ToHexStringLower(SHA1.HashData(Encoding.ASCII.GetBytes(t)))).Order(StringComparer.Ordinal)))));

        using JsonDocument document = JsonDocument.Parse(Write(report, digests, sourceDateEpoch: 0));
        string? code = document.RootElement.GetProperty("packages")[0].GetProperty("packageVerificationCode").GetProperty("packageVerificationCodeValue").GetString();

        Assert.Equal(expected, code);
    }

    [Fact]
    public void Output_is_reproducible()
    {
        using var temp = new TempDirectory();
        (BuildReport report, Dictionary<string, FileDigest> digests) = Sample(temp);

        Assert.Equal(Write(report, digests, 1700000000), Write(report, digests, 1700000000));
    }

    [Fact]
    public void SourceDateEpoch_sets_created()
    {
        using var temp = new TempDirectory();
        (BuildReport report, Dictionary<string, FileDigest> digests) = Sample(temp);

        using JsonDocument document = JsonDocument.Parse(Write(report, digests, 1700000000));

        Assert.Equal("2023-11-14T22:13:20Z", document.RootElement.GetProperty("creationInfo").GetProperty("created").GetString());
    }

    private static string Write(BuildReport report, Dictionary<string, FileDigest> digests, long sourceDateEpoch)
    {
        using var stream = new MemoryStream();
        SpdxWriter.Write(report, "sample", digests, sourceDateEpoch, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static (BuildReport, Dictionary<string, FileDigest>) Sample(TempDirectory temp)
    {
        string a = temp.Combine("a.so");
        string b = temp.Combine("b.so");
        File.WriteAllText(a, "alpha");
        File.WriteAllText(b, "beta");
        FileDigest digestA = FileDigest.Compute(a);
        FileDigest digestB = FileDigest.Compute(b);
        var digests = new Dictionary<string, FileDigest> { [digestA.Sha256] = digestA, [digestB.Sha256] = digestB };
        var report = new BuildReport
        {
            Tool = "dotnet-osv 0.1.0",
            Project = "osv.yaml",
            Format = "raw",
            FileSystem = "rofs",
            CommandLine = "/app/a.so",
            Entries =
            [
                new ReportEntry { Path = "/app", Kind = "directory" },
                new ReportEntry { Path = "/app/a.so", Kind = "file", Size = 5, HostPath = a, Sha256 = digestA.Sha256 },
                new ReportEntry { Path = "/usr/lib/b.so", Kind = "file", Size = 4, HostPath = b, Sha256 = digestB.Sha256, AddedBecause = "DT_NEEDED of /app/a.so" },
            ],
            Diagnostics = [],
        };
        return (report, digests);
    }
}
