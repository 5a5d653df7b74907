using System.Text.Json.Serialization;

namespace Conversations.Contracts.Chat;

/// <summary>Who the caller is, as established at the API boundary from the key (never from request context).</summary>
[GenerateSerializer, Immutable, Alias("caller")]
public sealed record Caller([property: Id(0)] string TenantId, [property: Id(1)] string UserId, [property: Id(2)] string Role);

/// <summary>A new message from the user that starts a turn.</summary>
/// <param name="Model">
/// The model the client asked for: a tier (<c>small</c>, <c>large</c>) or one of the tenant's registered model ids.
/// Routing still applies its budget, circuits and fallback; null lets the tenant's routing choose.
/// </param>
/// <param name="ImageIds">Images the message carries (ids of the asker's stored images, checked at the API); null or empty for text only.</param>
/// <param name="ImageRefs">
/// A digest of the image references as the request carried them (URLs and ids); part of a client-chosen turn's request
/// fingerprint, so a retry matches whether or not its images are resolved again. Null for text only.
/// </param>
/// <param name="MaxOutputTokens">
/// A cap on the answer's tokens the client asked for (OpenAI's <c>max_tokens</c>); it only lowers the tenant's own
/// limit. A capped turn neither reads nor fills the answer caches (their answers were written without the cap).
/// </param>
/// <param name="Replaces">
/// Regenerate / edit-and-resend: the id of the conversation's last turn, which this message replaces. Its question and
/// answer stay stored but leave the history and every later prompt once this question is stored. Null appends.
/// </param>
[GenerateSerializer, Immutable, Alias("send-message")]
public sealed record SendMessage(
    [property: Id(0)] Caller Caller, [property: Id(1)] string Text, [property: Id(2)] string? ClientTurnId = null, [property: Id(3)] string? Model = null,
    [property: Id(4)] IReadOnlyList<string>? ImageIds = null, [property: Id(5)] string? ImageRefs = null, [property: Id(6)] int? MaxOutputTokens = null,
    [property: Id(7)] string? Replaces = null);

/// <summary>A conversation as its owner sees it.</summary>
/// <param name="Match">
/// In a search of the list, the text around the first place one of the conversation's messages holds the searched text;
/// absent when the title holds it, and outside a search.
/// </param>
[GenerateSerializer, Immutable, Alias("conversation-info")]
public sealed record ConversationInfo(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Title,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset UpdatedAt,
    [property: Id(4)] long MessageCount,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Match = null);

/// <summary>One stored message of the conversation log.</summary>
[GenerateSerializer, Immutable, Alias("message-info")]
public sealed record MessageInfo(
    [property: Id(0)] long Seq,
    [property: Id(1)] string TurnId,
    [property: Id(2)] string Role,
    [property: Id(3)] string Content,
    [property: Id(4)] string Status,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string? Model,
    [property: Id(7)] IReadOnlyList<Citation>? Citations = null,
    [property: Id(8)] IReadOnlyList<string>? ImageIds = null,
    [property: Id(9), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rating = null);

/// <summary>A knowledge-base chunk an answer is grounded in, as history returns it.</summary>
[GenerateSerializer, Immutable, Alias("citation")]
public sealed record Citation(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] string DocumentTitle,
    [property: Id(2)] int ChunkIndex,
    [property: Id(3)] double Score);

/// <summary>A page of history, newest last; <see cref="NextBefore"/> fetches the older page.</summary>
[GenerateSerializer, Immutable, Alias("history-page")]
public sealed record HistoryPage([property: Id(0)] IReadOnlyList<MessageInfo> Messages, [property: Id(1)] long? NextBefore);

/// <summary>Message status values stored in the log.</summary>
public static class MessageStatus
{
    /// <summary>Stored and final.</summary>
    public const string Complete = "complete";
    /// <summary>The turn stopped before the answer was complete (crash, or the turn was left unwatched too long); partial text kept.</summary>
    public const string Interrupted = "interrupted";
    /// <summary>The model stopped part-way and no other model could finish: the partial answer ends with a notice saying so.</summary>
    public const string Incomplete = "incomplete";
    /// <summary>The turn failed; content says why.</summary>
    public const string Failed = "failed";
    /// <summary>Refused by moderation before any model ran.</summary>
    public const string Refused = "refused";
    /// <summary>The user stopped the answer (cancel); the partial text is kept and billed.</summary>
    public const string Stopped = "stopped";
}
