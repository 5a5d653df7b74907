using System.Net;
using System.Net.Sockets;

namespace Conversations.Contracts.Telemetry;

/// <summary>
/// Where a host's management port (<c>Telemetry:MetricsPort</c>) listens: <c>Telemetry:MetricsAddress</c>, else
/// 127.0.0.1 only. A platform started for local use (and every test server) keeps its scrape and dashboard off the
/// network; a cluster that scrapes from outside the host sets <c>*</c> (every interface) or the pod's address.
/// </summary>
public static class ManagementAddress
{
    /// <summary>The setting that names the address.</summary>
    public const string Setting = "Telemetry:MetricsAddress";

    /// <summary>
    /// The host part of the URL the management port listens on (an IPv6 address in brackets), from the value of
    /// <see cref="Setting"/>. It lives with the contracts because both hosts, the API and the silo, read it.
    /// </summary>
    public static string UrlHost(string? configured)
    {
        var address = configured?.Trim();
        if (string.IsNullOrEmpty(address)) return IPAddress.Loopback.ToString();
        return IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : address;
    }
}
