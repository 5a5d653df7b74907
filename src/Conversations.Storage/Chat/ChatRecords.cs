namespace Conversations.Storage.Chat;

/// <summary>A conversation row.</summary>
public sealed record ConversationRecord(
    string TenantId, string ConversationId, string UserId, string Title,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long MessageCount);

/// <summary>A message row of the append-only log.</summary>
public sealed record MessageRecord(
    long Seq, string TurnId, string Role, string Content, string Status, int TokenCount, string? Model, DateTimeOffset CreatedAt);

/// <summary>One turn's usage as it goes to the ledger.</summary>
public sealed record UsageRecord(
    string TenantId, string UserId, string ConversationId, string TurnId, string Model,
    int PromptTokens, int CachedTokens, int CompletionTokens, decimal CostUsd);
