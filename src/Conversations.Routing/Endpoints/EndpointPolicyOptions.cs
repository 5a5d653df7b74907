namespace Conversations.Routing.Endpoints;

/// <summary>
/// Configuration section <c>Endpoints</c>: which addresses the platform may call for endpoints a tenant sets (the
/// models of a routing catalog). Operator-configured endpoints (<c>Models:Chat</c>, <c>Models:Embeddings</c>) are
/// trusted and not checked. Defaults are strict (https only, public addresses only) everywhere except the
/// <see cref="RelaxedEnvironments"/>, which also admit http and loopback so the local test model works.
/// </summary>
public sealed class EndpointPolicyOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Endpoints";

    /// <summary>Environments whose defaults admit http and loopback; every other environment (Production included) is strict.</summary>
    public static readonly IReadOnlyList<string> RelaxedEnvironments = ["Development", "Testing"];

    /// <summary>Default of <see cref="RegistrationLookupTimeout"/>.</summary>
    public static readonly TimeSpan DefaultRegistrationLookupTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Accept plain http endpoints; unset means yes only in the <see cref="RelaxedEnvironments"/>.</summary>
    public bool? AllowHttp { get; set; }

    /// <summary>Accept loopback addresses (127.0.0.0/8, ::1, <c>localhost</c>); unset means yes only in the <see cref="RelaxedEnvironments"/>.</summary>
    public bool? AllowLoopback { get; set; }

    /// <summary>Accept private (RFC 1918), link-local, shared (100.64.0.0/10) and unique-local (fc00::/7) addresses; off unless set.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// Hosts (<c>models.corp.example</c>, <c>*.corp.example</c>) and addresses or CIDR ranges (<c>10.20.0.5</c>,
    /// <c>10.20.0.0/16</c>, <c>fd12::/64</c>) admitted whatever the other rules say, over http too: self-hosted models.
    /// </summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>How long a registration waits for DNS to check the addresses a host name has (the connect-time check still applies).</summary>
    public TimeSpan RegistrationLookupTimeout { get; set; } = DefaultRegistrationLookupTimeout;

    /// <summary>Fills the settings left unset with the defaults of <paramref name="environmentName"/>.</summary>
    public EndpointPolicyOptions ApplyDefaults(string environmentName)
    {
        var relaxed = RelaxedEnvironments.Contains(environmentName, StringComparer.OrdinalIgnoreCase);
        AllowHttp ??= relaxed;
        AllowLoopback ??= relaxed;
        return this;
    }

    /// <summary>The first unusable setting, described for the operator; null when all are usable.</summary>
    public string? Problem()
    {
        if (RegistrationLookupTimeout <= TimeSpan.Zero) return $"{Section}:RegistrationLookupTimeout must be positive.";
        foreach (var entry in Allow)
        {
            if (EndpointAllowList.TryParseEntry(entry, out _, out _)) continue;
            return $"{Section}:Allow entry '{entry}' is neither a host name (optionally '*.' + domain), an IP address nor a CIDR range "
                + "with no bits set past its prefix (e.g. 10.20.0.0/16).";
        }
        return null;
    }
}
