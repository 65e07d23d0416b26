using System.Globalization;

namespace Osv.ImageBuilder.Run;

/// <summary>
/// A port of the host's loopback interface forwarded to a guest port through qemu's user-mode
/// networking (<c>hostfwd</c>). The host side is bound to 127.0.0.1 only, so the guest is never
/// reachable from other machines.
/// </summary>
/// <param name="HostPort">The TCP or UDP port on 127.0.0.1, 1 to 65535.</param>
/// <param name="GuestPort">The port inside the guest, 1 to 65535.</param>
/// <param name="Udp">True for UDP, false for TCP.</param>
public sealed record PortForward(int HostPort, int GuestPort, bool Udp = false)
{
    /// <summary>
    /// Parses <c>HOST:GUEST</c>, <c>PORT</c> (the same port on both sides), with an optional
    /// <c>/udp</c> or <c>/tcp</c> suffix, for example <c>8080:80</c> or <c>5353:53/udp</c>.
    /// </summary>
    /// <param name="text">The rule as the user wrote it.</param>
    /// <param name="forward">The parsed rule.</param>
    /// <param name="error">Why the rule is invalid, as a sentence with the expected form.</param>
    /// <returns>True when the rule is valid.</returns>
    public static bool TryParse(string text, out PortForward? forward, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        forward = null;

        string rule = text.Trim();
        bool udp = false;
        if (rule.EndsWith("/udp", StringComparison.OrdinalIgnoreCase))
        {
            udp = true;
            rule = rule[..^4];
        }
        else if (rule.EndsWith("/tcp", StringComparison.OrdinalIgnoreCase))
        {
            rule = rule[..^4];
        }

        string[] parts = rule.Split(':');
        if (parts.Length is < 1 or > 2 || !TryParsePort(parts[0], out int hostPort) || !TryParsePort(parts[^1], out int guestPort))
        {
            error = $"The port forward '{text}' is invalid; write HOST_PORT:GUEST_PORT with ports from 1 to 65535, for example 8080:80 or 5353:53/udp.";
            return false;
        }

        forward = new PortForward(hostPort, guestPort, udp);
        error = null;
        return true;
    }

    /// <summary>Formats the rule as a qemu <c>hostfwd</c> value bound to 127.0.0.1.</summary>
    public string ToHostForward() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Udp ? "udp" : "tcp")}:127.0.0.1:{HostPort}-:{GuestPort}");

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{HostPort}:{GuestPort}{(Udp ? "/udp" : string.Empty)}");

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
