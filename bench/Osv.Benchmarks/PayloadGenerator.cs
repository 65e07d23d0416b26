namespace Osv.Benchmarks;

/// <summary>Writes a reproducible payload of many files whose sizes spread over four orders of magnitude.</summary>
internal static class PayloadGenerator
{
    private const int FilesPerDirectory = 100;

    /// <summary>Creates <paramref name="count"/> files under <paramref name="root"/> that add up to about <paramref name="totalBytes"/>.</summary>
    /// <returns>The file paths in creation order.</returns>
    public static List<string> Generate(string root, int count, long totalBytes, int seed)
    {
        // Sizes are log-uniform between 1 and 10,000 units, then scaled to the total, so the
        // payload has many small files and a few large ones, as application trees do.
        var random = new Random(seed);
        double[] weights = new double[count];
        for (int i = 0; i < count; i++)
        {
            weights[i] = Math.Pow(10, random.NextDouble() * 4);
        }

        double scale = totalBytes / weights.Sum();
        var files = new List<string>(count);
        byte[] buffer = new byte[1 << 20];
        for (int i = 0; i < count; i++)
        {
            string directory = Path.Combine(root, "d" + (i / FilesPerDirectory).ToString("D2", System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, "f" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + ".bin");
            long size = Math.Max(1, (long)(weights[i] * scale));

            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            for (long written = 0; written < size;)
            {
                int chunk = (int)Math.Min(buffer.Length, size - written);
                random.NextBytes(buffer.AsSpan(0, chunk));
                stream.Write(buffer, 0, chunk);
                written += chunk;
            }

            files.Add(path);
        }

        return files;
    }
}
