using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Security;

/// <summary>
/// Failed key lookups per client address. The request limiter keys on the presented key's id, so a client inventing a
/// new id for each request would get a fresh window each time and a database lookup each time; past
/// <c>Api:RateLimit:FailedKeysPerMinute</c> failed keys in a minute (by default the anonymous request limit), an
/// address's keys are refused without a lookup
/// until its window turns. Keys that were accepted from that address in the last minutes are still looked up: a
/// company's people share one address, and a script retrying a revoked key must not lock them all out.
/// </summary>
internal sealed class FailedKeyLimiter(IConfiguration config) : IDisposable
{
    private const int MaxRemembered = 100_000;
    private static readonly long RememberedMs = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
    private static readonly long RefreshMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    private readonly int _perMinute = config.GetValue("Api:RateLimit:FailedKeysPerMinute", config.GetValue("Api:RateLimit:AnonymousPerMinute", 300));
    private readonly ConcurrentDictionary<(string Address, string KeyId), long> _accepted = new();
    private PartitionedRateLimiter<string>? _limiter;

    private PartitionedRateLimiter<string> Limiter => _limiter ??= PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = _perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    /// <summary>The key id of a <c>Bearer cvk_&lt;id&gt;_&lt;secret&gt;</c> header, or null. The id is public; the secret is not read.</summary>
    public static string? KeyIdOf(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && ApiKeyFormat.TryParse(authorization.AsSpan("Bearer ".Length), out var keyId, out _) && keyId.Length <= 32 ? keyId : null;

    /// <summary>
    /// True when the address has used up its failed lookups for this minute and <paramref name="keyId"/> was not
    /// accepted from it lately.
    /// </summary>
    public bool IsBlocked(string address, string? keyId) =>
        _perMinute > 0 && Limiter.GetStatistics(address) is { CurrentAvailablePermits: <= 0 }
        && !(keyId is not null && _accepted.TryGetValue((address, keyId), out var at) && Environment.TickCount64 - at < RememberedMs);

    /// <summary>
    /// Counts one failed lookup from the address. It leaves every key id accepted from there let through: ids are public,
    /// so a wrong secret sent with one must not lock its owner out (a revoked key's exemption ends with its ten minutes).
    /// </summary>
    public void RecordFailure(string address)
    {
        if (_perMinute <= 0) return;
        using var lease = Limiter.AttemptAcquire(address);
    }

    /// <summary>Remembers a key accepted from the address.</summary>
    public void RecordSuccess(string address, string keyId)
    {
        if (_perMinute <= 0) return;
        var now = Environment.TickCount64;
        // Nearly every request comes from a key seen here a moment ago: a minute's staleness costs nothing, a write each time does.
        if (_accepted.TryGetValue((address, keyId), out var at) && now - at < RefreshMs) return;
        if (_accepted.Count >= MaxRemembered) Forget();
        _accepted[(address, keyId)] = now;
    }

    // Drops what is too old to count; when everything is recent, the table starts over (a block then applies to all).
    private void Forget()
    {
        var now = Environment.TickCount64;
        foreach (var (entry, at) in _accepted)
            if (now - at >= RememberedMs) _accepted.TryRemove(entry, out _);
        if (_accepted.Count >= MaxRemembered) _accepted.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => _limiter?.Dispose();
}
