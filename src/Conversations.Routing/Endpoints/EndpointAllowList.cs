using System.Net;

namespace Conversations.Routing.Endpoints;

/// <summary>The operator's <c>Endpoints:Allow</c> entries: host names (with an optional <c>*.</c> wildcard) and address ranges.</summary>
internal sealed class EndpointAllowList
{
    private readonly List<string> _hosts = [];
    private readonly List<string> _domains = []; // from "*.example.com": ".example.com"
    private readonly List<IPNetwork> _networks = [];

    /// <summary>Parses <paramref name="entries"/>; unusable entries are skipped (start-up validation reports them).</summary>
    public EndpointAllowList(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            if (!TryParseEntry(entry, out var host, out var network)) continue;
            if (network is { } n) _networks.Add(n);
            else if (host!.StartsWith("*.", StringComparison.Ordinal)) _domains.Add(host[1..]);
            else _hosts.Add(host);
        }
    }

    /// <summary>Whether the list names <paramref name="host"/> (normalized: lower case, no brackets or trailing dot).</summary>
    public bool ContainsHost(string host) =>
        _hosts.Contains(host, StringComparer.Ordinal) || _domains.Any(d => host.EndsWith(d, StringComparison.Ordinal));

    /// <summary>Whether one of the list's ranges holds <paramref name="address"/> (IPv4-mapped IPv6 counts as its IPv4 address).</summary>
    public bool Contains(IPAddress address)
    {
        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _networks.Any(n => n.Contains(a));
    }

    /// <summary>Reads one entry as a CIDR range, a single address, or a host name.</summary>
    public static bool TryParseEntry(string? entry, out string? host, out IPNetwork? network)
    {
        host = null;
        network = null;
        var text = entry?.Trim() ?? "";
        if (text.Length == 0) return false;
        if (text.Contains('/', StringComparison.Ordinal))
        {
            // A range with host bits set ("10.0.0.1/8") is a typo more often than a wish for the whole range: refuse it.
            if (!IPNetwork.TryParse(text, out var parsed) || !IPAddress.TryParse(text[..text.IndexOf('/', StringComparison.Ordinal)], out var first)
                || !parsed.BaseAddress.Equals(first)) return false;
            network = parsed;
            return true;
        }
        if (IPAddress.TryParse(text.Trim('[', ']'), out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        var name = EndpointPolicy.NormalizeHost(text);
        var bare = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        if (Uri.CheckHostName(bare) != UriHostNameType.Dns) return false;
        host = name;
        return true;
    }
}
