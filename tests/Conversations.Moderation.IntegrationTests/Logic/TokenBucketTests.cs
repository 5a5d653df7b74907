using Conversations.Grains.Moderation.RateLimiting;

namespace Conversations.Moderation.IntegrationTests.Logic;

/// <summary>The token bucket behind every rate limit.</summary>
public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact(DisplayName = "A full bucket admits exactly its per-minute limit at once, then says when the next token arrives")]
    public void Admits_the_limit_then_refuses()
    {
        var bucket = new TokenBucket(30, T0);
        var admitted = Enumerable.Range(0, 100).Count(i => bucket.TryTake(1, T0, out _));
        Assert.Equal(30, admitted);
        Assert.False(bucket.TryTake(1, T0, out var wait));
        Assert.Equal(2.0, wait.TotalSeconds, 3); // 30 a minute: one every 2 s
    }

    [Fact(DisplayName = "The bucket refills at limit/60 a second and never beyond its capacity")]
    public void Refills_continuously_up_to_capacity()
    {
        var bucket = new TokenBucket(60, T0);
        for (var i = 0; i < 60; i++) Assert.True(bucket.TryTake(1, T0, out _));
        Assert.False(bucket.TryTake(1, T0.AddSeconds(0.5), out _));
        Assert.True(bucket.TryTake(1, T0.AddSeconds(1), out _));
        Assert.Equal(60, Enumerable.Range(0, 100).Count(i => bucket.TryTake(1, T0.AddHours(1), out _)));
    }

    [Fact(DisplayName = "Charging tokens after a turn can overdraw the bucket; it admits again only once refilled above zero")]
    public void Overdrawn_bucket_is_exhausted_until_refilled()
    {
        var bucket = new TokenBucket(600, T0); // 10 a second
        Assert.False(bucket.IsExhausted(T0, out _));
        bucket.Charge(700, T0);
        Assert.True(bucket.IsExhausted(T0, out var wait));
        Assert.InRange(wait.TotalSeconds, 10, 10.2);
        Assert.True(bucket.IsExhausted(T0.AddSeconds(9.9), out _));
        Assert.False(bucket.IsExhausted(T0.AddSeconds(10.2), out _));
        bucket.Charge(1_000_000, T0.AddSeconds(11));
        Assert.Equal(-600, bucket.Level); // at most one minute's wait
    }

    [Fact(DisplayName = "Lowering a limit keeps what was used this minute, so it does not hand out a fresh burst")]
    public void Resize_keeps_usage()
    {
        var bucket = new TokenBucket(60, T0);
        for (var i = 0; i < 10; i++) bucket.TryTake(1, T0, out _);
        bucket.Resize(15, T0);
        Assert.Equal(5, Enumerable.Range(0, 20).Count(i => bucket.TryTake(1, T0, out _)));
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.Resize(0, T0));
    }

    [Fact(DisplayName = "A clock that steps back does not refill the bucket")]
    public void Clock_stepping_back_adds_nothing()
    {
        var bucket = new TokenBucket(1, T0);
        Assert.True(bucket.TryTake(1, T0, out _));
        Assert.False(bucket.TryTake(1, T0.AddSeconds(-120), out _));
        Assert.False(bucket.TryTake(1, T0.AddSeconds(30), out _));
    }
}
