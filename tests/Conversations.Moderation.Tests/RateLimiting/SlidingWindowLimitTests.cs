using Conversations.Moderation.RateLimiting;

namespace Conversations.Moderation.Tests.RateLimiting;

/// <summary>The sliding window behind every rate limit: no 60-second window admits more than the limit.</summary>
public sealed class SlidingWindowLimitTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact(DisplayName = "An empty window admits exactly its limit at once, then says when the oldest use leaves the window")]
    public void Admits_the_limit_then_refuses()
    {
        var window = new SlidingWindowLimit(30);
        Assert.Equal(30, Enumerable.Range(0, 100).Count(i => window.TryTake(1, T0, out _)));
        Assert.False(window.TryTake(1, T0.AddSeconds(59.9), out var wait));
        Assert.Equal(0.1, wait.TotalSeconds, 3);
        Assert.Equal(30, Enumerable.Range(0, 100).Count(i => window.TryTake(1, T0.AddSeconds(60), out _)));
    }

    [Fact(DisplayName = "A limit of 20 a minute admits 20, not 40, in the first minute of steady demand")]
    public void First_minute_admits_the_limit_only()
    {
        // A token bucket admits its full capacity at once plus a minute of refill: twice the limit in the first minute.
        var window = new SlidingWindowLimit(20);
        var admitted = 0;
        for (var ms = 0; ms < 60_000; ms += 250)
            admitted += Enumerable.Range(0, 3).Count(i => window.TryTake(1, T0.AddMilliseconds(ms), out _));
        Assert.Equal(20, admitted);
    }

    [Theory(DisplayName = "Random arrivals: no 60-second window ever admits more than the limit, and a steady demand gets the limit")]
    [InlineData(1, 7)]
    [InlineData(2, 20)]
    [InlineData(3, 60)]
    [InlineData(4, 1)]
    public void No_window_admits_more_than_the_limit(int seed, int limit)
    {
        var random = new Random(seed);
        var window = new SlidingWindowLimit(limit);
        var admitted = new List<DateTimeOffset>();
        var now = T0;
        for (var i = 0; i < 20_000; i++)
        {
            now = now.AddMilliseconds(random.Next(0, 10) == 0 ? random.Next(0, 4000) : random.Next(0, 40));
            if (window.TryTake(1, now, out var wait))
                admitted.Add(now);
            else
                Assert.True(wait > TimeSpan.Zero && wait <= SlidingWindowLimit.Window);
        }
        // Every window [t, t + 60 s) that starts at an admitted request holds at most the limit.
        for (int first = 0, last = 0; first < admitted.Count; first++)
        {
            while (last < admitted.Count && admitted[last] - admitted[first] < SlidingWindowLimit.Window) last++;
            Assert.True(last - first <= limit, $"{last - first} admitted within 60 s of {admitted[first]:O} (limit {limit})");
        }
        // One-second slots cost at most a second: over the whole run the limit is nearly used up.
        var minutes = (now - T0).TotalMinutes;
        Assert.True(admitted.Count >= limit * minutes * 0.9, $"{admitted.Count} admitted in {minutes:F0} minutes");
    }

    [Fact(DisplayName = "Tokens charged after a turn can pass the limit; the window admits again once that use is a minute old")]
    public void Overdrawn_window_is_exhausted_until_the_charge_leaves()
    {
        var window = new SlidingWindowLimit(600);
        Assert.False(window.IsExhausted(T0, out _));
        window.Charge(700, T0.AddSeconds(5));
        Assert.True(window.IsExhausted(T0.AddSeconds(10), out var wait));
        Assert.Equal(55, wait.TotalSeconds, 3);
        Assert.True(window.IsExhausted(T0.AddSeconds(64.9), out _));
        Assert.False(window.IsExhausted(T0.AddSeconds(65), out _));
        Assert.Equal(0, window.Used(T0.AddSeconds(65)));
    }

    [Fact(DisplayName = "Lowering a limit keeps what was used in the last minute, so it hands out no fresh burst")]
    public void Resize_keeps_usage()
    {
        var window = new SlidingWindowLimit(60);
        for (var i = 0; i < 10; i++) window.TryTake(1, T0, out _);
        window.Resize(15);
        Assert.Equal(5, Enumerable.Range(0, 20).Count(i => window.TryTake(1, T0.AddSeconds(30), out _)));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Resize(0));
    }

    [Fact(DisplayName = "A request given back frees its place at once")]
    public void Give_frees_the_latest_use()
    {
        var window = new SlidingWindowLimit(2);
        Assert.True(window.TryTake(1, T0, out _));
        Assert.True(window.TryTake(1, T0.AddSeconds(1), out _));
        window.Give(1, T0.AddSeconds(1));
        Assert.Equal(1, window.Used(T0.AddSeconds(1)));
        Assert.True(window.TryTake(1, T0.AddSeconds(2), out _));
        Assert.False(window.TryTake(1, T0.AddSeconds(2), out _));
    }

    [Fact(DisplayName = "A clock that steps back frees nothing")]
    public void Clock_stepping_back_frees_nothing()
    {
        var window = new SlidingWindowLimit(1);
        Assert.True(window.TryTake(1, T0, out _));
        Assert.False(window.TryTake(1, T0.AddSeconds(-120), out _));
        Assert.False(window.TryTake(1, T0.AddSeconds(59), out _));
        Assert.True(window.TryTake(1, T0.AddSeconds(60), out _));
    }
}
