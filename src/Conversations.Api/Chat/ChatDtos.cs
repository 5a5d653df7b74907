using Conversations.Contracts.Chat;

namespace Conversations.Api.Chat;

/// <summary>Body of POST /v1/conversations.</summary>
internal sealed record CreateConversationRequest(string? Title);

/// <summary>Body of PATCH /v1/conversations/{id}.</summary>
internal sealed record RenameConversationRequest(string? Title);

/// <summary>Body of POST /v1/conversations/{id}/messages: the text, and images as URLs to fetch or ids from POST /v1/images.</summary>
/// <param name="Text">The question.</param>
/// <param name="TurnId">A client-chosen turn id (or the Idempotency-Key header): a retried send with it is the same turn.</param>
/// <param name="ImageUrls">Up to 4 image URLs the platform fetches (https, public addresses).</param>
/// <param name="ImageIds">Ids of the caller's images uploaded with POST /v1/images.</param>
/// <param name="Replaces">Regenerate / edit-and-resend: the id of the conversation's last turn, which this question replaces.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record PostMessageRequest(string? Text, string? TurnId, IReadOnlyList<string>? ImageUrls = null, IReadOnlyList<string>? ImageIds = null,
    string? Replaces = null);

/// <summary>A page of the caller's conversations.</summary>
internal sealed record ConversationPage(IReadOnlyList<ConversationInfo> Conversations, string? NextCursor);

/// <summary>A conversation with a page of its history.</summary>
internal sealed record ConversationWithHistory(ConversationInfo Conversation, IReadOnlyList<MessageInfo> Messages, long? NextBefore);

/// <summary>The answer to POST /v1/conversations/{id}/turns/{turnId}/cancel: the turn and its answer's status ("stopped", or "stopping" while it is being recorded).</summary>
internal sealed record TurnCancelled(string TurnId, string Status);
