namespace Conversations.Storage.Chat;

/// <summary>A conversation row.</summary>
public sealed record ConversationRecord(
    string TenantId, string ConversationId, string UserId, string Title,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long MessageCount);

/// <summary>A message row of the append-only log; an answer carries the sources it was grounded in, a question the images it carried.</summary>
/// <param name="FinalEvent">An answer's: the number of the event that ended its turn's stream (done or error); null on older rows.</param>
/// <param name="FinishReason">An answer's: the finish reason its <c>done</c> event carried; null when it ended with an error, or on older rows.</param>
public sealed record MessageRecord(
    long Seq, string TurnId, string Role, string Content, string Status, int TokenCount, string? Model, DateTimeOffset CreatedAt,
    IReadOnlyList<CitationRecord>? Citations = null, IReadOnlyList<string>? ImageIds = null, string? RequestFingerprint = null,
    int? FinalEvent = null, string? FinishReason = null);

/// <summary>A knowledge-base chunk an answer cites, stored with the answer (jsonb).</summary>
public sealed record CitationRecord(string DocumentId, string DocumentTitle, int ChunkIndex, double Score);

/// <summary>A turn as stored: its question and, once written, its answer.</summary>
public sealed record StoredTurn(MessageRecord Question, MessageRecord? Answer);

/// <summary>What a turn's model calls consumed, summed over its usage rows.</summary>
public sealed record TurnUsageTotals(int PromptTokens, int CachedTokens, int CompletionTokens, decimal CostUsd);

/// <summary>One model call's usage as it goes to the ledger (a turn with no model call has one row with no tokens).</summary>
/// <param name="Kind">What the call served: <see cref="UsageKinds.Turn"/>, <see cref="UsageKinds.Summary"/>, <see cref="UsageKinds.Batch"/> or <see cref="UsageKinds.Evaluation"/>.</param>
/// <param name="Attempt">The call's number within its turn, from 0; a turn is counted by its row 0.</param>
/// <param name="Estimated">True when the tokens were counted with the tokenizer because the provider reported none.</param>
/// <param name="Since">When the work that made the call began: the row is written only to a tenant that existed then,
/// never to a new tenant that took a deleted one's id while the call ran. Null: to the tenant as it is now.</param>
public sealed record UsageRecord(
    string TenantId, string UserId, string ConversationId, string TurnId, string Model,
    int PromptTokens, int CachedTokens, int CompletionTokens, decimal CostUsd,
    string Kind = UsageKinds.Turn, int Attempt = 0, bool Estimated = false, DateTimeOffset? Since = null);

/// <summary>The kinds of work a usage row bills.</summary>
public static class UsageKinds
{
    /// <summary>A chat turn's model call.</summary>
    public const string Turn = "turn";
    /// <summary>A conversation summary written in the background.</summary>
    public const string Summary = "summary";
    /// <summary>An item of an offline batch.</summary>
    public const string Batch = "batch";
    /// <summary>An evaluation case's turn: a chat turn of the case's user, billed apart from the tenant's chat.</summary>
    public const string Evaluation = "evaluation";
}
