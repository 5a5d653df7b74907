namespace Conversations.Knowledge.Search;

/// <summary>Thresholds of <see cref="RetrievalPlanner"/>; defaults measured by the "retrieval" benchmark.</summary>
public sealed record RetrievalPlannerOptions
{
    /// <summary>
    /// Up to this many allowed rows an exact scan is fast (about 1.5 ms for 1,000 rows, 20 ms for 10,000 at 384
    /// dimensions) and has perfect recall; above it the HNSW plan is faster at 0.99+ recall.
    /// </summary>
    public const long DefaultExactScanMaxRows = 5_000;
    /// <summary>Below this allowed share the HNSW graph loses recall even with iterative scans (0.85 at 1 %), so scan exactly.</summary>
    public const double DefaultExactScanMaxShare = 0.03;
    /// <summary>ef_search when every row is allowed in a tenant of up to <see cref="DefaultEfReferenceChunks"/>; it grows as the allowed share shrinks and as the tenant grows.</summary>
    public const int DefaultBaseEfSearch = 64;
    /// <summary>Tenant size up to which <see cref="DefaultBaseEfSearch"/> holds (recall 0.98+ at 50 % of 100,000 chunks).</summary>
    public const long DefaultEfReferenceChunks = 100_000;
    /// <summary>
    /// ef_search grows as (chunks / reference)^this past the reference size: at a fixed ef recall falls as the graph
    /// grows (50 % of 100,000 chunks: 0.981 at ef 91; of 1,000,000: 0.756 at ef 91, 0.913 at ef 400).
    /// </summary>
    public const double DefaultEfGrowthExponent = 0.65;

    /// <summary>See <see cref="DefaultExactScanMaxRows"/>.</summary>
    public long ExactScanMaxRows { get; init; } = DefaultExactScanMaxRows;
    /// <summary>See <see cref="DefaultExactScanMaxShare"/>.</summary>
    public double ExactScanMaxShare { get; init; } = DefaultExactScanMaxShare;
    /// <summary>See <see cref="DefaultBaseEfSearch"/>.</summary>
    public int BaseEfSearch { get; init; } = DefaultBaseEfSearch;
    /// <summary>See <see cref="DefaultEfReferenceChunks"/>.</summary>
    public long EfReferenceChunks { get; init; } = DefaultEfReferenceChunks;
    /// <summary>See <see cref="DefaultEfGrowthExponent"/>.</summary>
    public double EfGrowthExponent { get; init; } = DefaultEfGrowthExponent;
    /// <summary>Largest ef_search the planner asks for (pgvector allows 1000).</summary>
    public int MaxEfSearch { get; init; } = 1000;
}

/// <summary>
/// Picks the plan of a filtered top-K search from the allowed share, instead of leaving it to the SQL planner's
/// estimate: an exact scan over the allowed rows when they are few (small absolute count or small share), else the
/// HNSW index with iterative scans and an ef_search that grows as the share shrinks and as the tenant grows.
/// </summary>
public static class RetrievalPlanner
{
    /// <summary>The plan for a user who may read no label at all.</summary>
    public static RetrievalPlan Nothing(long total) => new(RetrievalPlanKind.Empty, 0, Math.Max(total, 0), 0, 0);

    /// <summary>The plan for a search of <paramref name="candidates"/> rows among <paramref name="allowed"/> of <paramref name="total"/>.</summary>
    public static RetrievalPlan Choose(long allowed, long total, int candidates, RetrievalPlannerOptions? options = null)
    {
        var o = options ?? new RetrievalPlannerOptions();
        // Counts may lag an upload on another silo: zero allowed rows still runs an exact scan (free when truly
        // empty), so stale counts cost speed, never results.
        total = Math.Max(total, 0);
        allowed = Math.Clamp(allowed, 0, total);
        var share = total == 0 ? 0 : (double)allowed / total;
        if (allowed <= o.ExactScanMaxRows || share < o.ExactScanMaxShare)
            return new RetrievalPlan(RetrievalPlanKind.ExactScan, allowed, total, 0, 0);

        // The graph walk meets allowed rows at about the allowed share, so widen the beam as 1/sqrt(share) and let
        // iterative scans visit about candidates/share rows (with margin) before giving up. A bigger graph needs a
        // wider beam for the same recall.
        var growth = total <= o.EfReferenceChunks ? 1.0 : Math.Pow((double)total / o.EfReferenceChunks, o.EfGrowthExponent);
        var ef = (int)Math.Ceiling(o.BaseEfSearch / Math.Sqrt(share) * growth);
        ef = Math.Clamp(Math.Max(ef, candidates), 1, o.MaxEfSearch);
        var maxScan = (int)Math.Clamp(candidates / share * 50, 20_000, 1_000_000);
        return new RetrievalPlan(RetrievalPlanKind.HnswIterative, allowed, total, ef, maxScan);
    }
}
