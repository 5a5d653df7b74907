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
