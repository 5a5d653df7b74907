using Conversations.Contracts.Usage;
using Conversations.Storage.Routing;

namespace Conversations.Grains.ReadServices;

/// <summary>Usage reports from the usage ledger, grouped by the store, totalled here.</summary>
internal sealed class UsageReports(RoutingStore store) : IUsageReports
{
    /// <inheritdoc />
    public async Task<UsageReport> GetAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, string? userId, CancellationToken ct)
    {
        var rows = await store.UsageAsync(tenantId, from, to, userId, ct);
        var groups = rows.Select(r => new UsageGroup(r.Day, r.UserId, r.Model, r.Kind, r.Turns, r.Summaries, r.BatchItems, r.ModelCalls,
            r.EstimatedCalls, r.PromptTokens, r.CachedTokens, r.CompletionTokens, r.CostUsd, r.CachedTokenSavingsUsd, r.CacheHits,
            r.HardCodedReplies, r.CacheSavingsUsd, r.RoutingSavingsUsd, r.EvaluationTurns)).ToList();
        var totals = new UsageGroup(null, null, null, null, groups.Sum(g => g.Turns), groups.Sum(g => g.Summaries), groups.Sum(g => g.BatchItems),
            groups.Sum(g => g.ModelCalls), groups.Sum(g => g.EstimatedCalls), groups.Sum(g => g.PromptTokens), groups.Sum(g => g.CachedTokens),
            groups.Sum(g => g.CompletionTokens), groups.Sum(g => g.CostUsd), groups.Sum(g => g.CachedTokenSavingsUsd), groups.Sum(g => g.CacheHits),
            groups.Sum(g => g.HardCodedReplies), groups.Sum(g => g.CacheSavingsUsd), groups.Sum(g => g.RoutingSavingsUsd), groups.Sum(g => g.EvaluationTurns));
        return new UsageReport(groups, totals);
    }
}
