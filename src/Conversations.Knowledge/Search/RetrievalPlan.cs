namespace Conversations.Knowledge.Search;

/// <summary>How one filtered vector search runs.</summary>
public enum RetrievalPlanKind
{
    /// <summary>The user holds no label: no query at all.</summary>
    Empty,
    /// <summary>Exact distances over every allowed row, found through the label index: perfect recall, cost grows with the allowed rows.</summary>
    ExactScan,
    /// <summary>The HNSW index with the label filter and iterative scans (relaxed order), so a filtered top-K stays full.</summary>
    HnswIterative,
}

/// <summary>The plan chosen for a query and the figures it was chosen from.</summary>
/// <param name="Kind">Which plan.</param>
/// <param name="AllowedChunks">Chunks the user may read in the tenant.</param>
/// <param name="TotalChunks">All chunks of the tenant.</param>
/// <param name="EfSearch">hnsw.ef_search for the HNSW plan.</param>
/// <param name="MaxScanTuples">hnsw.max_scan_tuples for the HNSW plan: how far iterative scans may go.</param>
public sealed record RetrievalPlan(RetrievalPlanKind Kind, long AllowedChunks, long TotalChunks, int EfSearch, int MaxScanTuples)
{
    /// <summary>Share of the tenant's chunks the user may read, 0..1.</summary>
    public double AllowedShare => TotalChunks == 0 ? 0 : (double)AllowedChunks / TotalChunks;

    /// <summary>A short name for logs, metrics and the retrieval result, e.g. <c>hnsw-iterative(ef=80)</c>.</summary>
    public override string ToString() => Kind switch
    {
        RetrievalPlanKind.Empty => "empty",
        RetrievalPlanKind.ExactScan => "exact-scan",
        _ => $"hnsw-iterative(ef={EfSearch})",
    };
}
