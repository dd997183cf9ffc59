using System.Net;

namespace TusUpload.Protocol.Http;

/// <summary>
/// The peers whose forwarded headers count: single addresses (<c>10.0.0.5</c>, <c>::1</c>) or networks in CIDR
/// notation (<c>10.0.0.0/8</c>, <c>fd00::/8</c>), since a proxy in a container or cluster rarely has a fixed address.
/// IPv4 addresses seen as IPv4-mapped IPv6 (dual-stack sockets) match their IPv4 entries.
/// </summary>
public sealed class TrustedProxies
{
    private readonly IPNetwork[] _networks;

    public TrustedProxies(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);

        _networks = [.. entries.Select(entry => TryParse(entry, out var network)
            ? network
            : throw new FormatException($"'{entry}' is not an IP address or a network in CIDR notation."))];
    }

    public bool IsEmpty => _networks.Length == 0;

    public bool Contains(IPAddress? address)
    {
        if (address is null || _networks.Length == 0)
        {
            return false;
        }

        var peer = Normalize(address);
        foreach (var network in _networks)
        {
            if (network.Contains(peer))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An address (a network of one) or a CIDR network whose address has no bits past its prefix.</summary>
    public static bool TryParse(string? entry, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        var text = entry.Trim();
        if (text.Contains('/', StringComparison.Ordinal))
        {
            // An address with bits past its prefix ("10.0.0.1/8") is most likely a typo for one of two different
            // things, so it is refused rather than silently widened or narrowed.
            if (!IPNetwork.TryParse(text, out var parsed) || HasBitsPastPrefix(text))
            {
                return false;
            }

            network = parsed.BaseAddress.IsIPv4MappedToIPv6 && parsed.PrefixLength >= 96
                ? new IPNetwork(parsed.BaseAddress.MapToIPv4(), parsed.PrefixLength - 96)
                : parsed;
            return true;
        }

        if (!IPAddress.TryParse(text, out var address))
        {
            return false;
        }

        var single = Normalize(address);
        network = new IPNetwork(single, single.GetAddressBytes().Length * 8);
        return true;
    }

    /// <summary>True for a network written with host bits, such as <c>10.0.0.1/8</c>.</summary>
    public static bool HasBitsPastPrefix(string? entry)
    {
        var slash = entry?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0
            && IPNetwork.TryParse(entry, out var parsed)
            && IPAddress.TryParse(entry.AsSpan(0, slash).Trim(), out var written)
            && !parsed.BaseAddress.Equals(written);
    }

    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
