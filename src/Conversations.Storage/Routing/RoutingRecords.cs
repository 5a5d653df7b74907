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
    decimal RoutingSavingsUsd);

/// <summary>A cached answer and the chunks it was built from ("document#chunk").</summary>
public sealed record CachedAnswer(string Answer, string Model, IReadOnlyList<string> ChunkIds, double Similarity);

/// <summary>A feedback vote on an assistant message.</summary>
public sealed record FeedbackRecord(
    string TenantId, string ConversationId, long Seq, string UserId, string TurnId, string? Model, bool Negative, string Comment);

/// <summary>A stored vote as the tenant admin's listing shows it.</summary>
public sealed record FeedbackRow(
    string ConversationId, long Seq, string UserId, string TurnId, string? Model, bool Negative, string Comment, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Where a feedback page starts: the last row of the page before (its first-vote time, conversation and message).</summary>
public sealed record FeedbackPosition(DateTimeOffset CreatedAt, string ConversationId, long Seq);

/// <summary>Filters of the feedback listing; null fields do not filter.</summary>
public sealed record FeedbackQuery
{
    /// <summary>Only thumbs down (true) or up (false).</summary>
    public bool? Negative { get; init; }
    /// <summary>Only this user's votes.</summary>
    public string? UserId { get; init; }
    /// <summary>Only votes on this model's answers ("" for answers no model wrote).</summary>
    public string? Model { get; init; }
    /// <summary>First votes at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>First votes before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Only votes with a comment.</summary>
    public bool WithComment { get; init; }
    /// <summary>Rows after this one.</summary>
    public FeedbackPosition? Before { get; init; }
    /// <summary>Page size, at most <see cref="RoutingStore.MaxFeedbackPage"/>.</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>One item of an offline batch.</summary>
public sealed record BatchItemRecord(
    int Index, string Prompt, string Status, string? Answer, string? Error, int PromptTokens, int CachedTokens,
    int CompletionTokens, decimal CostUsd, DateTimeOffset? CompletedAt);
