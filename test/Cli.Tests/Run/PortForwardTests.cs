using Osv.ImageBuilder.Run;

namespace Osv.Cli.Tests.Run;

public class PortForwardTests
{
    [Theory]
    [InlineData("8080:80", 8080, 80, false)]
    [InlineData("7000", 7000, 7000, false)]
    [InlineData("5353:53/udp", 5353, 53, true)]
    [InlineData("2222:22/tcp", 2222, 22, false)]
    public void TryParse_valid(string text, int host, int guest, bool udp)
    {
        bool ok = PortForward.TryParse(text, out PortForward? forward, out string? error);

        Assert.True(ok, error);
        Assert.Equal(new PortForward(host, guest, udp), forward);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0:80")]
    [InlineData("65536:80")]
    [InlineData("a:b")]
    [InlineData("1:2:3")]
    [InlineData("-1:80")]
    public void TryParse_invalid(string text)
    {
        bool ok = PortForward.TryParse(text, out _, out string? error);

        Assert.False(ok);
        Assert.Contains(text, error, StringComparison.Ordinal);
    }

    [Fact]
    public void HostForward_binds_loopback()
    {
        Assert.Equal("udp:127.0.0.1:5353-:53", new PortForward(5353, 53, Udp: true).ToHostForward());
    }
}
