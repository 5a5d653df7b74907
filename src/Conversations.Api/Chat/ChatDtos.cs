using Conversations.Contracts.Chat;

namespace Conversations.Api.Chat;

/// <summary>Body of POST /v1/conversations.</summary>
public sealed record CreateConversationRequest(string? Title);

/// <summary>Body of POST /v1/conversations/{id}/messages.</summary>
public sealed record PostMessageRequest(string? Text, string? TurnId);

/// <summary>A page of the caller's conversations.</summary>
public sealed record ConversationPage(IReadOnlyList<ConversationInfo> Conversations, string? NextCursor);

/// <summary>A conversation with a page of its history.</summary>
public sealed record ConversationWithHistory(ConversationInfo Conversation, IReadOnlyList<MessageInfo> Messages, long? NextBefore);

/// <summary>The answer to POST /v1/conversations/{id}/turns/{turnId}/cancel: the turn and its answer's status ("stopped", or "stopping" while it is being recorded).</summary>
public sealed record TurnCancelled(string TurnId, string Status);
