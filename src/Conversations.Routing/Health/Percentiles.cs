namespace Conversations.Routing.Health;

/// <summary>Percentiles by the nearest-rank method, so reported values are real samples.</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="quantile"/> (0..1] of <paramref name="sorted"/> (ascending), or null when empty.</summary>
    public static double? NearestRank(IReadOnlyList<double> sorted, double quantile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
