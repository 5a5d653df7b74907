namespace Conversations.Moderation.RateLimiting;

/// <summary>
/// A "per minute" limit that holds over EVERY 60-second window: it counts what was used in the last 60 seconds and
/// admits only while that stays within the limit, so there is no burst on top of the limit (a token bucket admits a
/// full bucket plus a minute of refill, twice the limit, in its first minute). Uses are kept in one-second slots, each
/// remembering its latest use; a slot leaves the window once that use is 60 s old, so the count is never below the true
/// one and at most a second conservative. Memory is a fixed 64 slots whatever the limit. Not thread-safe: one owner.
/// </summary>
/// <remarks>
/// System.Threading.RateLimiting's SlidingWindowRateLimiter was not used: it reads its own clock (a grain's tests and
/// moved clocks need an injected one), it cannot take a charge after the fact (tokens are known only once a turn ends)
/// or give a permit back, and a window of S segments drops a whole segment at once, so up to twice the limit can pass
/// in S−1 segments' time.
/// </remarks>
public sealed class SlidingWindowLimit
{
    /// <summary>The length of the window in seconds (the settings contract reports the same figure to clients).</summary>
    public const int WindowSeconds = 60;

    /// <summary>The window every limit holds over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(WindowSeconds);

    private const int Slots = 64; // at most 62 one-second slots are ever inside a 60-second window
    private const int Mask = Slots - 1;
    private static readonly long SlotTicks = TimeSpan.TicksPerSecond;
    private readonly long[] _slot = new long[Slots];
    private readonly long[] _amount = new long[Slots];
    private readonly long[] _latest = new long[Slots];
    private int _head;
    private int _count;
    private long _total;

    /// <summary>An empty window for a limit of <paramref name="perMinute"/>.</summary>
    public SlidingWindowLimit(int perMinute) => Resize(perMinute);

    /// <summary>The most the window admits.</summary>
    public long Limit { get; private set; }

    /// <summary>What was used in the 60 seconds before <paramref name="now"/>.</summary>
    public long Used(DateTimeOffset now)
    {
        Expire(now.UtcTicks);
        return _total;
    }

    /// <summary>Takes <paramref name="amount"/> when the window has room for it; otherwise says how long until it will.</summary>
    public bool TryTake(long amount, DateTimeOffset now, out TimeSpan retryAfter)
    {
        var ticks = now.UtcTicks;
        Expire(ticks);
        if (_total + amount <= Limit)
        {
            Add(amount, ticks);
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeUntilUsedAtMost(Limit - amount, ticks);
        return false;
    }

    /// <summary>True while the window is used up (at or over the limit); <paramref name="retryAfter"/> is the time until it is not.</summary>
    public bool IsExhausted(DateTimeOffset now, out TimeSpan retryAfter)
    {
        var ticks = now.UtcTicks;
        Expire(ticks);
        if (_total < Limit)
        {
            retryAfter = TimeSpan.Zero;
            return false;
        }
        retryAfter = TimeUntilUsedAtMost(Limit - 1, ticks);
        return true;
    }

    /// <summary>How long until the window has room for <paramref name="amount"/> (zero when it has).</summary>
    public TimeSpan TimeUntil(long amount, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        Expire(ticks);
        return _total + amount <= Limit ? TimeSpan.Zero : TimeUntilUsedAtMost(Limit - amount, ticks);
    }

    /// <summary>Counts <paramref name="amount"/> whatever is left (tokens are known only after a turn); it leaves the window a minute later.</summary>
    public void Charge(long amount, DateTimeOffset now)
    {
        if (amount <= 0) return;
        var ticks = now.UtcTicks;
        Expire(ticks);
        Add(amount, ticks);
    }

    /// <summary>Takes back <paramref name="amount"/> of the latest uses (a request admitted here and then refused elsewhere).</summary>
    public void Give(long amount, DateTimeOffset now)
    {
        Expire(now.UtcTicks);
        for (var i = _count - 1; i >= 0 && amount > 0; i--)
        {
            var at = (_head + i) & Mask;
            var back = Math.Min(amount, _amount[at]);
            _amount[at] -= back;
            _total -= back;
            amount -= back;
        }
    }

    /// <summary>Changes the limit; what was used in the last minute keeps counting, so a lowered limit hands out no fresh burst.</summary>
    public void Resize(int perMinute)
    {
        if (perMinute <= 0) throw new ArgumentOutOfRangeException(nameof(perMinute), "A limit must be positive.");
        Limit = perMinute;
    }

    private void Expire(long now)
    {
        var horizon = now - Window.Ticks;
        while (_count > 0 && _latest[_head] <= horizon)
        {
            _total -= _amount[_head];
            _head = (_head + 1) & Mask;
            _count--;
        }
    }

    private void Add(long amount, long now)
    {
        var slot = now / SlotTicks;
        if (_count > 0)
        {
            var tail = (_head + _count - 1) & Mask;
            // The same second, or a clock that stepped back: add to the newest slot (never refill on a step back).
            if (_slot[tail] >= slot)
            {
                _amount[tail] += amount;
                _latest[tail] = Math.Max(_latest[tail], now);
                _total += amount;
                return;
            }
        }
        if (_count == Slots)
        {
            // Cannot happen with a clock that moves forward; if it does, fold the oldest slot into the next (still counted).
            var next = (_head + 1) & Mask;
            _amount[next] += _amount[_head];
            _head = next;
            _count--;
        }
        var at = (_head + _count) & Mask;
        _slot[at] = slot;
        _amount[at] = amount;
        _latest[at] = now;
        _count++;
        _total += amount;
    }

    /// <summary>Time until the oldest slots have left the window so that at most <paramref name="allowed"/> is counted.</summary>
    private TimeSpan TimeUntilUsedAtMost(long allowed, long now)
    {
        if (allowed < 0) return Window; // more than the whole limit at once: a full window is the honest answer
        var remaining = _total;
        for (var i = 0; i < _count; i++)
        {
            var at = (_head + i) & Mask;
            remaining -= _amount[at];
            if (remaining <= allowed)
                return TimeSpan.FromTicks(Math.Max(0, _latest[at] + Window.Ticks - now));
        }
        return TimeSpan.Zero;
    }
}
