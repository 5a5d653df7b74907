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
