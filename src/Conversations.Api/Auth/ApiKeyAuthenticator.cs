using System.Collections.Concurrent;
using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Auth;

/// <summary>Resolves bearer keys to callers, caching answers briefly so the hot path does not hit the database.</summary>
internal sealed class ApiKeyAuthenticator(IApiKeyLookup keys, TimeProvider time)
{
    /// <summary>How long a resolved key is trusted without asking the database again (bounds revocation delay).</summary>
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(15);
    private const int MaxCachedKeys = 100_000;

    private readonly ConcurrentDictionary<string, (ApiCaller? Caller, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>The caller for the request's <c>Authorization: Bearer</c> key, or null.</summary>
    public async ValueTask<ApiCaller?> AuthenticateAsync(HttpRequest request, CancellationToken ct)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var key = header["Bearer ".Length..].Trim();
        if (key.Length == 0) return null;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var hit) && hit.Expires > now) return hit.Caller;

        var identity = await keys.ResolveAsync(key, ct);
        var caller = identity is null ? null : new ApiCaller(identity.KeyId, identity.TenantId, identity.UserId, identity.Role);
        if (_cache.Count >= MaxCachedKeys) _cache.Clear();
        _cache[key] = (caller, now + CacheTtl);
        return caller;
    }

    /// <summary>Forgets cached answers (after a revoke on this host).</summary>
    public void Invalidate() => _cache.Clear();
}
