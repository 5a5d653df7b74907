namespace Conversations.Contracts.Usage;

/// <summary>
/// One usage group: a (day, user, model, kind) of the report, or the totals (day, user, model and kind null).
/// <see cref="Turns"/> counts chat turns, <see cref="Summaries"/> background summaries, <see cref="BatchItems"/>
/// batch prompts and <see cref="EvaluationTurns"/> evaluation cases asked; <see cref="ModelCalls"/> the model calls that consumed tokens, of which <see cref="EstimatedCalls"/>
/// were counted with the tokenizer.
/// </summary>
public sealed record UsageGroup(
    DateOnly? Day, string? UserId, string? Model, string? Kind, long Turns, long Summaries, long BatchItems, long ModelCalls,
    long EstimatedCalls, long PromptTokens, long CachedTokens, long CompletionTokens, decimal CostUsd, decimal CachedTokenSavingsUsd,
    long CacheHits, long HardCodedReplies, decimal CacheSavingsUsd, decimal RoutingSavingsUsd, long EvaluationTurns = 0);

/// <summary>A tenant's usage in a time range: its groups and their totals.</summary>
public sealed record UsageReport(IReadOnlyList<UsageGroup> Groups, UsageGroup Totals);

/// <summary>Usage and cost reports. A host service over the usage ledger; the tenant is always part of the query.</summary>
public interface IUsageReports
{
    /// <summary>The tenant's usage in [<paramref name="from"/>, <paramref name="to"/>), of one user when <paramref name="userId"/> is set.</summary>
    Task<UsageReport> GetAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, string? userId, CancellationToken ct);
}
