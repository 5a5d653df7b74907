using Conversations.Moderation.RateLimiting;

namespace Conversations.Moderation.IntegrationTests.Logic;

/// <summary>The window clients are told about is the one the limits hold over.</summary>
public sealed class RateLimitWindowTests
{
    [Fact(DisplayName = "The settings report the sliding window's length")]
    public void Reported_window_is_the_limit_window()
    {
        // The moderation library cannot see the contracts: this is where the two figures meet.
        Assert.Equal(SlidingWindowLimit.WindowSeconds, ModerationSettings.RateLimitWindowSeconds);
        Assert.Equal(SlidingWindowLimit.Window, TimeSpan.FromSeconds(new ModerationSettings().WindowSeconds));
    }
}
