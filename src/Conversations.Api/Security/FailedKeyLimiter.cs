using System.Threading.RateLimiting;

namespace Conversations.Api.Security;

/// <summary>
/// Failed key lookups per client address. The request limiter keys on the presented key's id, so a client inventing a
/// new id for each request would get a fresh window each time and a database lookup each time; past
/// <c>Api:RateLimit:AnonymousPerMinute</c> failed keys in a minute, an address's keys are refused without a lookup
/// until its window turns.
/// </summary>
internal sealed class FailedKeyLimiter(IConfiguration config) : IDisposable
{
    private readonly int _perMinute = config.GetValue("Api:RateLimit:AnonymousPerMinute", 300);
    private PartitionedRateLimiter<string>? _limiter;

    private PartitionedRateLimiter<string> Limiter => _limiter ??= PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = _perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    /// <summary>True when the address has used up its failed lookups for this minute.</summary>
    public bool IsBlocked(string address) =>
        _perMinute > 0 && Limiter.GetStatistics(address) is { CurrentAvailablePermits: <= 0 };

    /// <summary>Counts one failed lookup from the address.</summary>
    public void RecordFailure(string address)
    {
        if (_perMinute <= 0) return;
        using var lease = Limiter.AttemptAcquire(address);
    }

    /// <inheritdoc />
    public void Dispose() => _limiter?.Dispose();
}
