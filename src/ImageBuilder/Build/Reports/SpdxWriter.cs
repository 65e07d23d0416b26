using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Osv.ImageBuilder.Build.Reports;

/// <summary>
/// Writes the software bill of materials of an image as an SPDX 2.3 JSON document: one package for
/// the image and one file element for each guest file. The document is reproducible: its creation
/// time is SOURCE_DATE_EPOCH (the Unix epoch when it is not set) and its namespace is derived from
/// the content, so the same image gives the same bytes.
/// </summary>
public static class SpdxWriter
{
    private const string SpdxVersion = "SPDX-2.3";
    private const string DataLicense = "CC0-1.0";
    private const string NoAssertion = "NOASSERTION";
    private const string NamespacePrefix = "https://spdx.org/spdxdocs/dotnet-osv/";

    /// <summary>Writes the SBOM for <paramref name="report"/> to <paramref name="destination"/>.</summary>
    /// <param name="report">The build report; every file entry must have a SHA-256, which names its checksums in <paramref name="digests"/>.</param>
    /// <param name="imageName">The image's name, for example <c>event-echo</c>.</param>
    /// <param name="digests">The checksums of each file, by SHA-256.</param>
    /// <param name="sourceDateEpoch">The creation time in seconds since the Unix epoch.</param>
    /// <param name="destination">The stream that receives UTF-8 JSON.</param>
    /// <exception cref="KeyNotFoundException">A file entry's host file has no checksum.</exception>
    /// <exception cref="ArgumentException">A file's checksums lack the SHA-1.</exception>
    public static void Write(BuildReport report, string imageName, IReadOnlyDictionary<string, FileDigest> digests, long sourceDateEpoch, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(imageName);
        ArgumentNullException.ThrowIfNull(digests);
        ArgumentNullException.ThrowIfNull(destination);

        List<ReportEntry> files = report.Entries.Where(e => e.Kind == "file" && e.Sha256 is not null).ToList();
        string created = DateTimeOffset.FromUnixTimeSeconds(sourceDateEpoch).UtcDateTime
            .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("spdxVersion", SpdxVersion);
        json.WriteString("dataLicense", DataLicense);
        json.WriteString("SPDXID", "SPDXRef-DOCUMENT");
        json.WriteString("name", imageName);
        json.WriteString("documentNamespace", NamespacePrefix + Uri.EscapeDataString(imageName) + "-" + ContentId(files, digests));

        json.WriteStartObject("creationInfo");
        json.WriteString("created", created);
        json.WriteStartArray("creators");
        json.WriteStringValue("Tool: " + report.Tool.Replace(' ', '-'));
        json.WriteEndArray();
        json.WriteEndObject();

        // The image is the one package; its verification code covers every file (SPDX 2.3 clause 7.9).
        json.WriteStartArray("packages");
        json.WriteStartObject();
        json.WriteString("SPDXID", "SPDXRef-Image");
        json.WriteString("name", imageName);
        json.WriteString("downloadLocation", NoAssertion);
        json.WriteBoolean("filesAnalyzed", true);
        json.WriteStartObject("packageVerificationCode");
        json.WriteString("packageVerificationCodeValue", VerificationCode(files, digests));
        json.WriteEndObject();
        json.WriteString("licenseConcluded", NoAssertion);
        json.WriteString("licenseDeclared", NoAssertion);
        json.WriteString("copyrightText", NoAssertion);
        json.WriteString("primaryPackagePurpose", "OPERATING-SYSTEM");
        json.WriteString("comment", $"OSv disk image, {report.FileSystem} filesystem, command line: {report.CommandLine}");
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartArray("files");
        for (int i = 0; i < files.Count; i++)
        {
            ReportEntry file = files[i];
            FileDigest digest = digests[file.Sha256!];
            json.WriteStartObject();
            json.WriteString("fileName", "." + file.Path);
            json.WriteString("SPDXID", FileId(i));
            json.WriteStartArray("checksums");
            WriteChecksum(json, "SHA1", Sha1Of(digest));
            WriteChecksum(json, "SHA256", digest.Sha256);
            json.WriteEndArray();
            json.WriteString("licenseConcluded", NoAssertion);
            json.WriteString("copyrightText", NoAssertion);
            if (file.AddedBecause is not null || file.Elf is not null)
            {
                json.WriteString("comment", FileComment(file));
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("relationships");
        WriteRelationship(json, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
        for (int i = 0; i < files.Count; i++)
        {
            WriteRelationship(json, "SPDXRef-Image", "CONTAINS", FileId(i));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string FileId(int index) => "SPDXRef-File-" + (index + 1).ToString(CultureInfo.InvariantCulture);

    private static string FileComment(ReportEntry file)
    {
        var comment = new StringBuilder();
        if (file.Elf is { } elf)
        {
            comment.Append("ELF ").Append(elf.Kind);
        }

        if (file.AddedBecause is { } reason)
        {
            comment.Append(comment.Length > 0 ? "; " : string.Empty).Append("added because ").Append(reason);
        }

        if (file.HostPath is not null)
        {
            comment.Append("; from ").Append(file.HostPath);
        }

        return comment.ToString();
    }

    private static void WriteChecksum(Utf8JsonWriter json, string algorithm, string value)
    {
        json.WriteStartObject();
        json.WriteString("algorithm", algorithm);
        json.WriteString("checksumValue", value);
        json.WriteEndObject();
    }

    private static void WriteRelationship(Utf8JsonWriter json, string element, string type, string related)
    {
        json.WriteStartObject();
        json.WriteString("spdxElementId", element);
        json.WriteString("relationshipType", type);
        json.WriteString("relatedSpdxElement", related);
        json.WriteEndObject();
    }

    // SPDX 2.3 clause 7.9: the SHA-1 of the concatenated, sorted SHA-1 values of the package's files.
    // SHA-1 is what the specification fixes here; it identifies content and protects nothing.
#pragma warning disable CA5350
    private static string VerificationCode(List<ReportEntry> files, IReadOnlyDictionary<string, FileDigest> digests)
    {
        IEnumerable<string> sorted = files.Select(f => Sha1Of(digests[f.Sha256!])).Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.ASCII.GetBytes(string.Concat(sorted))));
    }
#pragma warning restore CA5350

    private static string Sha1Of(FileDigest digest) =>
        digest.Sha1 ?? throw new ArgumentException($"The checksums of the file with SHA-256 {digest.Sha256} have no SHA-1; compute them with includeSha1 for an SBOM.", nameof(digest));

    // A namespace part that is unique for each content: the SHA-256 of every guest path and file checksum.
    private static string ContentId(List<ReportEntry> files, IReadOnlyDictionary<string, FileDigest> digests)
    {
        var text = new StringBuilder();
        foreach (ReportEntry file in files)
        {
            text.Append(file.Path).Append('\0').Append(digests[file.Sha256!].Sha256).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
