namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>The time the rate-limit windows slide by; its own type so tests can stop it without touching the runtime's clock.</summary>
internal sealed class RateLimitClock(TimeProvider time)
{
    /// <summary>The system clock.</summary>
    public static RateLimitClock System { get; } = new(TimeProvider.System);

    /// <summary>Now.</summary>
    public DateTimeOffset Now => time.GetUtcNow();
}
