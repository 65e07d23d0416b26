using Osv.ImageBuilder.Analyse;

namespace Osv.ImageBuilder.Tests.Analyse;

public class DynamicStringTokensTests
{
    private static readonly DynamicStringTokens.Values s_values = new("/opt/app/bin", "lib/x86_64-linux-gnu", "x86_64");

    [Theory]
    [InlineData("$ORIGIN/../lib", "/opt/app/bin/../lib")]
    [InlineData("${ORIGIN}/lib", "/opt/app/bin/lib")]
    [InlineData("/usr/$LIB/$PLATFORM", "/usr/lib/x86_64-linux-gnu/x86_64")]
    [InlineData("/x/${LIB}", "/x/lib/x86_64-linux-gnu")]
    [InlineData("$ORIGINAL/lib", "$ORIGINAL/lib")]
    [InlineData("/plain", "/plain")]
    public void Glibc_expansion(string path, string expected)
    {
        Assert.Equal(expected, DynamicStringTokens.ExpandLikeGlibc(path, s_values));
    }

    [Fact]
    public void Osv_expands_only_plain_origin()
    {
        Assert.Equal(["${ORIGIN}", "$LIB", "${PLATFORM}"], DynamicStringTokens.FindUnexpandedByOsv("$ORIGIN/a:${ORIGIN}/b:/$LIB/${PLATFORM}"));
    }

    [Fact]
    public void Plain_origin_needs_no_warning()
    {
        Assert.Empty(DynamicStringTokens.FindUnexpandedByOsv("$ORIGIN/../lib:/usr/local/lib"));
    }
}
