namespace Conversations.Grains.Moderation.Turn;

/// <summary>Identifies one turn across the moderation calls of a turn.</summary>
internal readonly record struct TurnKey(string TenantId, string ConversationId, string TurnId);
