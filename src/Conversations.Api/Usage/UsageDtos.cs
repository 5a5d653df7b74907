namespace Conversations.Api.Usage;

/// <summary>Usage per (day, user, model, kind) with tokens, cost and savings, plus the totals.</summary>
internal sealed record UsageReportDto(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageRowDto> Rows, UsageRowDto Totals);

/// <summary>
/// One usage group. <see cref="Kind"/> is "turn", "summary", "batch" or "evaluation" (null in the totals); <see cref="Turns"/>
/// counts chat turns only, <see cref="Summaries"/> background summaries, <see cref="BatchItems"/> batch prompts and
/// <see cref="EvaluationTurns"/> evaluation cases asked (each a chat turn of the case's user, billed apart).
/// <see cref="ModelCalls"/> counts the model calls that consumed tokens (a continued answer makes two), of which
/// <see cref="EstimatedCalls"/> were counted with the tokenizer because the provider reported no usage (cut off or
/// abandoned). Savings compare the same tokens, cached ones included, on the large model (routing) or with no model
/// call at all (caches); <see cref="CachedTokenSavingsUsd"/> is what the provider's prompt cache saved, apart.
/// </summary>
internal sealed record UsageRowDto(
    string? Day, string? UserId, string? Model, long Turns, long PromptTokens, long CachedTokens, long CompletionTokens, decimal CostUsd,
    decimal CachedTokenSavingsUsd, long CacheHits, long HardCodedReplies, decimal CacheSavingsUsd, decimal RoutingSavingsUsd)
{
    /// <summary>"turn", "summary", "batch" or "evaluation"; null in the totals.</summary>
    public string? Kind { get; init; }
    /// <summary>Background conversation summaries.</summary>
    public long Summaries { get; init; }
    /// <summary>Offline batch prompts.</summary>
    public long BatchItems { get; init; }
    /// <summary>Evaluation cases asked (their turns are billed under the kind "evaluation").</summary>
    public long EvaluationTurns { get; init; }
    /// <summary>Model calls that consumed tokens.</summary>
    public long ModelCalls { get; init; }
    /// <summary>Of <see cref="ModelCalls"/>, those whose tokens were estimated.</summary>
    public long EstimatedCalls { get; init; }
}
