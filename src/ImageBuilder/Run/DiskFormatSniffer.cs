namespace Osv.ImageBuilder.Run;

/// <summary>Tells qemu's name for the container format of a disk file from its first bytes.</summary>
internal static class DiskFormatSniffer
{
    // "QFI\xfb": the qcow2 header magic (qemu docs/interop/qcow2.txt).
    private static readonly byte[] Qcow2Magic = [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    // "KDMV": the magic of a VMware sparse extent (VMware Virtual Disk Format 1.1, SparseExtentHeader).
    private static readonly byte[] VmdkSparseMagic = [(byte)'K', (byte)'D', (byte)'M', (byte)'V'];

    // A monolithic-flat or split vmdk starts with a text descriptor.
    private static readonly byte[] VmdkDescriptorStart = "# Disk DescriptorFile"u8.ToArray();

    /// <summary>Returns <c>qcow2</c>, <c>vmdk</c> or <c>raw</c> for the file at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened.</exception>
    public static string Detect(string path)
    {
        Span<byte> head = stackalloc byte[VmdkDescriptorStart.Length];
        using FileStream stream = File.OpenRead(path);
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> start = head[..read];

        if (start.StartsWith(Qcow2Magic))
        {
            return "qcow2";
        }

        if (start.StartsWith(VmdkSparseMagic) || start.StartsWith(VmdkDescriptorStart))
        {
            return "vmdk";
        }

        return "raw";
    }
}
