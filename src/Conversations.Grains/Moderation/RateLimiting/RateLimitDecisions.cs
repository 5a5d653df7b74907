using Conversations.Grains.Telemetry;
using Conversations.Contracts.Moderation;
using Conversations.Moderation.RateLimiting;

namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>Builds refusals with a whole-second Retry-After (at least 1, so clients never retry at once).</summary>
internal static class RateLimitDecisions
{
    /// <summary>A refusal by <paramref name="scope"/>'s <paramref name="limit"/>.</summary>
    public static RateLimitDecision Refused(string scope, string limit, TimeSpan retryAfter)
    {
        PlatformMetrics.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("scope", scope), new KeyValuePair<string, object?>("limit", limit));
        return new(false, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)), scope, limit);
    }

    /// <summary>What background work must leave free in <paramref name="window"/>: its share of the limit, and always something.</summary>
    public static long Reserved(SlidingWindowLimit window, double reservedShare) =>
        (long)Math.Ceiling(Math.Max(Math.Clamp(reservedShare, 0, 1) * window.Limit, 1.0));
}
