namespace Conversations.Contracts.Moderation;

/// <summary>Filters of a moderation event listing; null fields do not filter.</summary>
public sealed record ModerationEventFilter
{
    /// <summary>"input" or "output".</summary>
    public string? Phase { get; init; }
    /// <summary>"allow", "mask" or "block".</summary>
    public string? Action { get; init; }
    /// <summary>Only this user's events.</summary>
    public string? UserId { get; init; }
    /// <summary>Only this conversation's events.</summary>
    public string? ConversationId { get; init; }
    /// <summary>Only events carrying this label.</summary>
    public string? Label { get; init; }
    /// <summary>Events at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Events before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Page cursor: events with a smaller id.</summary>
    public long? BeforeId { get; init; }
    /// <summary>Page size; the log caps it.</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>One moderation event; <see cref="Content"/> was stored masked.</summary>
public sealed record ModerationEventEntry(
    long Id, string UserId, string ConversationId, string TurnId, string Phase, string Action, string RiskLevel,
    IReadOnlyList<string> Labels, IReadOnlyList<string> Libraries, IReadOnlyList<string> Checkers, string Content, DateTimeOffset CreatedAt);

/// <summary>A page of events, newest first; <see cref="NextBeforeId"/> continues it (null on the last page).</summary>
public sealed record ModerationEventList(IReadOnlyList<ModerationEventEntry> Events, long? NextBeforeId);

/// <summary>The tenant's moderation event log. A host service over the events table; the tenant is always part of the query.</summary>
public interface IModerationEventLog
{
    /// <summary>One page of the tenant's events, newest first.</summary>
    Task<ModerationEventList> ListAsync(string tenantId, ModerationEventFilter filter, CancellationToken ct);
}
