namespace Conversations.Storage.Moderation;

/// <summary>A lexicon row; <see cref="SubstringWords"/> are the words that also match inside longer words.</summary>
public sealed record LexiconRecord(
    string Name, IReadOnlyList<string> Words, string RiskLevel, string Action, string Label, DateTimeOffset UpdatedAt, IReadOnlyList<string> SubstringWords,
    string Scope = "both");

/// <summary>One moderation event; <see cref="Content"/> is already masked when it reaches the store.</summary>
public sealed record ModerationEventRecord(
    string TenantId, string UserId, string ConversationId, string TurnId, string Phase, string Action, string RiskLevel,
    IReadOnlyList<string> Labels, IReadOnlyList<string> Libraries, IReadOnlyList<string> Checkers, string Content, DateTimeOffset CreatedAt)
{
    /// <summary>Row id (0 before it is stored).</summary>
    public long Id { get; init; }
}

/// <summary>Filters of an event listing; null fields do not filter.</summary>
public sealed record ModerationEventQuery
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
    /// <summary>Page cursor: events with a smaller id (newest first).</summary>
    public long? BeforeId { get; init; }
    /// <summary>Page size.</summary>
    public int Limit { get; init; } = 50;
}
