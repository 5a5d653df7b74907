using Conversations.Contracts.Moderation;

namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>Builds refusals with a whole-second Retry-After (at least 1, so clients never retry at once).</summary>
internal static class RateLimitDecisions
{
    /// <summary>A refusal by <paramref name="scope"/>'s <paramref name="limit"/> bucket.</summary>
    public static RateLimitDecision Refused(string scope, string limit, TimeSpan retryAfter) =>
        new(false, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)), scope, limit);

    /// <summary>The level background work must leave in <paramref name="bucket"/>: its share of the limit, and always something.</summary>
    public static double Reserved(TokenBucket bucket, double reservedShare) =>
        Math.Max(Math.Clamp(reservedShare, 0, 1) * bucket.Capacity, Math.Min(1.0, bucket.Capacity / 1000.0));
}
