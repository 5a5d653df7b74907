namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>
/// A token bucket over "per minute" limits: holds up to <see cref="Capacity"/>, refills continuously at capacity/60 a
/// second. Requests take one each up front; tokens are charged after a turn and may overdraw the bucket (down to
/// minus one capacity), after which nothing is admitted until it refills above zero. Not thread-safe: one owner.
/// </summary>
public sealed class TokenBucket
{
    private DateTimeOffset _updated;

    /// <summary>A full bucket for <paramref name="perMinute"/> at <paramref name="now"/>.</summary>
    public TokenBucket(int perMinute, DateTimeOffset now)
    {
        if (perMinute <= 0) throw new ArgumentOutOfRangeException(nameof(perMinute), "A limit must be positive.");
        Capacity = perMinute;
        Level = perMinute;
        _updated = now;
    }

    /// <summary>The most the bucket holds (the limit a minute).</summary>
    public double Capacity { get; private set; }

    /// <summary>What is left now (negative when overdrawn), as of the last update.</summary>
    public double Level { get; private set; }

    private double PerSecond => Capacity / 60.0;

    /// <summary>Takes <paramref name="amount"/> when the bucket holds that much; otherwise says how long until it will.</summary>
    public bool TryTake(double amount, DateTimeOffset now, out TimeSpan retryAfter)
    {
        Refill(now);
        if (Level >= amount)
        {
            Level -= amount;
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds((amount - Level) / PerSecond);
        return false;
    }

    /// <summary>How long until the bucket holds <paramref name="amount"/> (zero when it already does).</summary>
    public TimeSpan TimeUntil(double amount, DateTimeOffset now)
    {
        Refill(now);
        return Level >= amount ? TimeSpan.Zero : TimeSpan.FromSeconds((amount - Level) / PerSecond);
    }

    /// <summary>True while the bucket is overdrawn (at or below zero); <paramref name="retryAfter"/> is the time until it is not.</summary>
    public bool IsExhausted(DateTimeOffset now, out TimeSpan retryAfter)
    {
        Refill(now);
        if (Level > 0)
        {
            retryAfter = TimeSpan.Zero;
            return false;
        }
        // Admit again once something is back in the bucket: a token's worth, or a small share of a huge capacity.
        var needed = Math.Min(1.0, Capacity / 1000.0) - Level;
        retryAfter = TimeSpan.FromSeconds(needed / PerSecond);
        return true;
    }

    /// <summary>Takes <paramref name="amount"/> whatever is left; the level stops at minus one capacity (one minute's wait at most).</summary>
    public void Charge(double amount, DateTimeOffset now)
    {
        Refill(now);
        Level = Math.Max(-Capacity, Level - amount);
    }

    /// <summary>Puts back <paramref name="amount"/> taken for a request that was then refused elsewhere.</summary>
    public void Give(double amount, DateTimeOffset now)
    {
        Refill(now);
        Level = Math.Min(Capacity, Level + amount);
    }

    /// <summary>Changes the limit, keeping what was used in the current minute (so lowering a limit does not hand out a fresh burst).</summary>
    public void Resize(int perMinute, DateTimeOffset now)
    {
        if (perMinute <= 0) throw new ArgumentOutOfRangeException(nameof(perMinute), "A limit must be positive.");
        Refill(now);
        var used = Capacity - Level;
        Capacity = perMinute;
        Level = Math.Clamp(perMinute - used, -Capacity, Capacity);
    }

    private void Refill(DateTimeOffset now)
    {
        var elapsed = (now - _updated).TotalSeconds;
        if (elapsed <= 0) return; // clocks may step back: never refill on a negative interval
        Level = Math.Min(Capacity, Level + elapsed * PerSecond);
        _updated = now;
    }
}
