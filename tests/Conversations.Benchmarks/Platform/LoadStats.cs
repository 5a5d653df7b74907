namespace Conversations.Benchmarks.Platform;

/// <summary>Latencies and counts of one measured phase.</summary>
public sealed class LoadStats
{
    private readonly List<double> _ttftMs = [];
    private int _completed;
    private int _failed;

    /// <summary>Records one finished request.</summary>
    public void Add(double ttftMs, bool ok)
    {
        lock (_ttftMs)
        {
            if (ok) { _ttftMs.Add(ttftMs); _completed++; }
            else _failed++;
        }
    }

    /// <summary>Completed requests.</summary>
    public int Completed => _completed;

    /// <summary>Failed requests.</summary>
    public int Failed => _failed;

    /// <summary>A time-to-first-token percentile in milliseconds (nearest rank).</summary>
    public double Percentile(double q)
    {
        lock (_ttftMs)
        {
            if (_ttftMs.Count == 0) return double.NaN;
            var sorted = _ttftMs.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }
}
