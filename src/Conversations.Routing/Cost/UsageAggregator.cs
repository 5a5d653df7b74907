namespace Conversations.Routing.Cost;

/// <summary>
/// Sums usage records per tenant, user, model and day (or any coarser grouping). A grain can add each turn's
/// record here and write the per-day rows in batches off the request path, then <see cref="Clear"/>.
/// Not thread-safe: the owner serializes calls.
/// </summary>
internal sealed class UsageAggregator
{
    private readonly Dictionary<UsageKey, UsageTotals> _rows = [];

    /// <summary>Records added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one turn's usage.</summary>
    public void Add(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Tokens.Validate();
        var key = new UsageKey(record.TenantId, record.UserId, record.ModelId, record.Day);
        _rows[key] = _rows.GetValueOrDefault(key, UsageTotals.Empty).Add(record);
        Count++;
    }

    /// <summary>Totals grouped by <paramref name="by"/>, ordered by key.</summary>
    public IReadOnlyList<UsageRow> Rows(UsageDimensions by = UsageDimensions.All) =>
        _rows.GroupBy(r => Project(r.Key, by))
            .Select(g => new UsageRow(g.Key, g.Select(r => r.Value).Aggregate(UsageTotals.Empty, Merge)))
            .OrderBy(r => r.Key.TenantId, StringComparer.Ordinal)
            .ThenBy(r => r.Key.UserId, StringComparer.Ordinal)
            .ThenBy(r => r.Key.ModelId, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Day)
            .ToArray();

    /// <summary>The grand total.</summary>
    public UsageTotals Total() => _rows.Values.Aggregate(UsageTotals.Empty, Merge);

    /// <summary>Forgets everything (after the rows were written).</summary>
    public void Clear()
    {
        _rows.Clear();
        Count = 0;
    }

    private static UsageKey Project(UsageKey key, UsageDimensions by) => new(
        by.HasFlag(UsageDimensions.Tenant) ? key.TenantId : null,
        by.HasFlag(UsageDimensions.User) ? key.UserId : null,
        by.HasFlag(UsageDimensions.Model) ? key.ModelId : null,
        by.HasFlag(UsageDimensions.Day) ? key.Day : null);

    private static UsageTotals Merge(UsageTotals a, UsageTotals b) => new(
        a.Turns + b.Turns,
        a.PromptTokens + b.PromptTokens,
        a.CachedPromptTokens + b.CachedPromptTokens,
        a.CompletionTokens + b.CompletionTokens,
        a.CostUsd + b.CostUsd,
        a.CachedTokenSavingsUsd + b.CachedTokenSavingsUsd,
        a.CacheHits + b.CacheHits,
        a.HardCodedReplies + b.HardCodedReplies,
        a.CacheSavingsUsd + b.CacheSavingsUsd,
        a.RoutingSavingsUsd + b.RoutingSavingsUsd,
        a.AlwaysLargeCostUsd + b.AlwaysLargeCostUsd);
}
