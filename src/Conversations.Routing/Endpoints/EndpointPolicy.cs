using System.Net;
using System.Net.Sockets;

namespace Conversations.Routing.Endpoints;

/// <summary>
/// Decides whether the platform may call an endpoint a tenant set, against the operator's
/// <see cref="EndpointPolicyOptions"/>: at registration (scheme, host name, literal and resolved addresses) and again
/// at every connection (<see cref="ConnectAsync"/>), where the addresses actually connected to are the ones checked,
/// so a name that resolves elsewhere later (DNS rebinding) gets no further than it did at registration.
/// </summary>
public sealed class EndpointPolicy
{
    private readonly EndpointPolicyOptions _options;
    private readonly EndpointAllowList _allow;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <summary>A policy over <paramref name="options"/> (defaults applied); <paramref name="resolve"/> replaces DNS (tests).</summary>
    public EndpointPolicy(EndpointPolicyOptions options, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new ArgumentException(problem, nameof(options));
        _options = options;
        _allow = new EndpointAllowList(options.Allow);
        _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
    }

    /// <summary>The settings in force.</summary>
    public EndpointPolicyOptions Options => _options;

    /// <summary>
    /// Why <paramref name="endpoint"/> may not be registered, or null when it may: the checks that need no network
    /// (scheme, reserved host names, literal addresses).
    /// </summary>
    public string? CheckUrl(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return $"endpoint '{endpoint}' must be an absolute http or https URL.";
        var host = NormalizeHost(uri.IdnHost);
        var literal = IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (_allow.ContainsHost(host) || (literal is not null && _allow.Contains(literal))) return null; // vouched for, http included
        // The address first: it is the rule https would not lift.
        if ((literal is not null ? CheckAddress(host, literal) : CheckName(host)) is { } refusal) return refusal;
        return uri.Scheme == Uri.UriSchemeHttp && _options.AllowHttp != true
            ? $"endpoint '{endpoint}' uses http; refused by the {EndpointPolicyOptions.Section} policy, which requires https "
              + $"(an operator can allow http with {EndpointPolicyOptions.Section}:AllowHttp, or for one host with {EndpointPolicyOptions.Section}:Allow)."
            : null;
    }

    /// <summary>
    /// <see cref="CheckUrl"/>, then the addresses the host name resolves to now (each must be allowed). A name that does
    /// not resolve within <see cref="EndpointPolicyOptions.RegistrationLookupTimeout"/> passes: every connection is checked anyway.
    /// </summary>
    public async Task<string?> CheckRegistrationAsync(string endpoint, CancellationToken cancellationToken = default)
    {
        if (CheckUrl(endpoint) is { } problem) return problem;
        // A user name or password in the URL would be stored and shown like the rest of it: credentials go in apiKey,
        // which is write-only.
        if (new Uri(endpoint).UserInfo.Length > 0)
            return "endpoint must not carry a user name or password (user:password@host); send the credential as apiKey, which is stored write-only.";
        var host = NormalizeHost(new Uri(endpoint).IdnHost);
        if (IPAddress.TryParse(host, out _) || _allow.ContainsHost(host)) return null;
        IPAddress[] addresses;
        try
        {
            addresses = await _resolve(host, cancellationToken).WaitAsync(_options.RegistrationLookupTimeout, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or ArgumentException)
        {
            return null;
        }
        return addresses.Select(a => CheckAddress(host, a)).FirstOrDefault(p => p is not null);
    }

    /// <summary>Why the platform may not connect to <paramref name="address"/> (which <paramref name="host"/> names), or null when it may.</summary>
    public string? CheckAddress(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_allow.Contains(address)) return null;
        var kind = AddressRules.Classify(address);
        var (allowed, setting) = kind switch
        {
            AddressKind.Public => (true, ""),
            AddressKind.Loopback => (_options.AllowLoopback == true, $"{EndpointPolicyOptions.Section}:AllowLoopback or "),
            AddressKind.Private or AddressKind.LinkLocal or AddressKind.SharedAddressSpace or AddressKind.UniqueLocal =>
                (_options.AllowPrivateNetworks, $"{EndpointPolicyOptions.Section}:AllowPrivateNetworks or "),
            _ => (false, ""),
        };
        if (allowed) return null;
        var subject = NormalizeHost(host) == NormalizeHost(address.ToString())
            ? $"endpoint address {address}"
            : $"endpoint host '{host}' resolves to {address}, which";
        return $"{subject} is {AddressRules.Describe(kind)}; refused by the {EndpointPolicyOptions.Section} policy "
            + $"(an operator can allow it with {setting}{EndpointPolicyOptions.Section}:Allow).";
    }

    /// <summary>
    /// The connect step of the HTTP client that calls tenants' endpoints: resolves the host, keeps only the addresses the
    /// policy allows, and connects to one of them; throws <see cref="EndpointRefusedException"/> when none is allowed.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = NormalizeHost(context.DnsEndPoint.Host);
        var vouched = _allow.ContainsHost(host);
        IPAddress[] candidates;
        if (IPAddress.TryParse(host, out var literal))
        {
            candidates = [literal];
        }
        else
        {
            if (!vouched && CheckName(host) is { } refusal) throw new EndpointRefusedException(refusal);
            candidates = await _resolve(host, cancellationToken);
        }
        var allowed = vouched ? candidates : candidates.Where(a => CheckAddress(host, a) is null).ToArray();
        if (allowed.Length == 0)
        {
            throw new EndpointRefusedException(candidates.Length == 0
                ? $"endpoint host '{host}' has no addresses."
                : CheckAddress(host, candidates[0])!);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The handler for clients that call tenants' endpoints: connections go through <see cref="ConnectAsync"/>, never
    /// through a proxy (the address checked must be the one connected to), and redirects are not followed.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = ConnectAsync,
        UseProxy = false,
        AllowAutoRedirect = false,
        // Connections are re-made (so re-resolved and re-checked) now and then, not kept for the life of the process.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };

    /// <summary>A host as compared here: lower case, without IPv6 brackets or a trailing dot.</summary>
    public static string NormalizeHost(string host) => host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    // Names that mean a refused address wherever they are resolved.
    private string? CheckName(string host)
    {
        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return _options.AllowLoopback == true ? null
                : $"endpoint host '{host}' is loopback; refused by the {EndpointPolicyOptions.Section} policy "
                  + $"(an operator can allow it with {EndpointPolicyOptions.Section}:AllowLoopback or {EndpointPolicyOptions.Section}:Allow).";
        }
        return AddressRules.MetadataHosts.Contains(host, StringComparer.Ordinal)
            ? $"endpoint host '{host}' is {AddressRules.Describe(AddressKind.CloudMetadata)}; refused by the {EndpointPolicyOptions.Section} policy "
              + $"(an operator can allow it only with {EndpointPolicyOptions.Section}:Allow)."
            : null;
    }
}
