namespace Conversations.Contracts.Feedback;

/// <summary>Where a page of votes goes on: the last vote of the page before.</summary>
public sealed record FeedbackCursor(DateTimeOffset CreatedAt, string ConversationId, long Seq);

/// <summary>Filters of a feedback listing; null fields do not filter.</summary>
public sealed record FeedbackFilter
{
    /// <summary>Only thumbs down (true) or up (false).</summary>
    public bool? Negative { get; init; }
    /// <summary>Only this user's votes.</summary>
    public string? UserId { get; init; }
    /// <summary>Only votes on this model's answers.</summary>
    public string? Model { get; init; }
    /// <summary>Votes first cast at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Votes first cast before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Only votes that carry a comment.</summary>
    public bool WithComment { get; init; }
    /// <summary>Page cursor.</summary>
    public FeedbackCursor? After { get; init; }
    /// <summary>Page size; the log caps it.</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>One vote on an assistant message: who, on which message and model, up or down, the comment.</summary>
public sealed record FeedbackEntry(
    string ConversationId, long Seq, string UserId, string TurnId, string? Model, bool Negative, string Comment,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of votes, newest first, the cursor of the next page (null on the last), and the up and down counts of all votes the filters keep.</summary>
public sealed record FeedbackList(IReadOnlyList<FeedbackEntry> Entries, FeedbackCursor? Next, long Up, long Down);

/// <summary>
/// The votes on one model's answers served one way (<see cref="Route"/>: "model", "exact-cache", "extractive", ...)
/// in one period, and the latest thumbs-down comments on that model in that period, personal data masked.
/// </summary>
public sealed record FeedbackSummaryEntry(DateTimeOffset PeriodStart, string Model, string Route, long Votes, long Up, long Down,
    IReadOnlyList<string> RecentComments);

/// <summary>The tenant's feedback on answers, for its admin. A host service over the votes table; the tenant is always part of the query.</summary>
public interface IFeedbackLog
{
    /// <summary>One page of the tenant's votes, newest first.</summary>
    Task<FeedbackList> ListAsync(string tenantId, FeedbackFilter filter, CancellationToken ct);

    /// <summary>Votes per period ("day", "week" or "month"), model and route in [since, until), newest period first.</summary>
    Task<IReadOnlyList<FeedbackSummaryEntry>> SummaryAsync(string tenantId, string period, DateTimeOffset since, DateTimeOffset until, CancellationToken ct);

    /// <summary>The user's own ratings ("up" or "down") of messages of one conversation with seq in [from, to], by seq.</summary>
    Task<IReadOnlyDictionary<long, string>> RatingsAsync(string tenantId, string userId, string conversationId, long from, long to, CancellationToken ct);
}
