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
            return Percentile(_ttftMs, q);
        }
    }

    /// <summary>A percentile of <paramref name="values"/> (nearest rank); NaN when there are none.</summary>
    public static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
