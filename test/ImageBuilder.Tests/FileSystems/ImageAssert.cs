namespace Osv.ImageBuilder.Tests.FileSystems;

/// <summary>Byte comparisons that name the first differing offset instead of printing whole images.</summary>
internal static class ImageAssert
{
    public static void SameBytes(byte[] expected, byte[] actual, string what)
    {
        int length = Math.Min(expected.Length, actual.Length);
        int mismatch = expected.AsSpan(0, length).CommonPrefixLength(actual.AsSpan(0, length));
        if (mismatch < length)
        {
            Assert.Fail($"{what}: first difference at byte {mismatch} (block {mismatch / 512}, offset {mismatch % 512}): expected 0x{expected[mismatch]:X2}, got 0x{actual[mismatch]:X2}.");
        }

        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} bytes, got {actual.Length}.");
    }
}
