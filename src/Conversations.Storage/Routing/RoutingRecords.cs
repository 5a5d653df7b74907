namespace Conversations.Storage.Routing;

/// <summary>What the router knows about one finished turn (the money itself is in usage_records).</summary>
public sealed record RoutingTurnRecord(
    string TenantId, string TurnId, string UserId, string ConversationId, string Model, string ServedBy, string Route,
    string CanaryArm, bool Continued, int PromptTokens, int CachedTokens, int CompletionTokens,
    decimal CostUsd, decimal AlwaysLargeUsd, decimal CachedSavingsUsd);

/// <summary>
/// One row of the usage report: a (day, user, model, kind) group with the turns, summaries and batch items it holds,
/// the model calls that consumed tokens (and how many of those were estimated), tokens, cost and savings.
/// </summary>
public sealed record UsageReportRow(
    DateOnly Day, string UserId, string Model, string Kind, long Turns, long Summaries, long BatchItems, long ModelCalls,
    long EstimatedCalls, long PromptTokens, long CachedTokens, long CompletionTokens,
    decimal CostUsd, decimal CachedTokenSavingsUsd, long CacheHits, long HardCodedReplies, decimal CacheSavingsUsd,
    decimal RoutingSavingsUsd, long EvaluationTurns = 0);

/// <summary>A cached answer and the chunks it was built from ("document#chunk").</summary>
public sealed record CachedAnswer(string Answer, string Model, IReadOnlyList<string> ChunkIds, double Similarity);

/// <summary>A feedback vote on an assistant message.</summary>
public sealed record FeedbackRecord(
    string TenantId, string ConversationId, long Seq, string UserId, string TurnId, string? Model, bool Negative, string Comment);

/// <summary>One item of an offline batch.</summary>
public sealed record BatchItemRecord(
    int Index, string Prompt, string Status, string? Answer, string? Error, int PromptTokens, int CachedTokens,
    int CompletionTokens, decimal CostUsd, DateTimeOffset? CompletedAt);
