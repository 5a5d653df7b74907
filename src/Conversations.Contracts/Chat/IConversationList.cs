namespace Conversations.Contracts.Chat;

/// <summary>Where a page of conversations goes on: after this conversation, most recently updated first.</summary>
public sealed record ConversationCursor(DateTimeOffset UpdatedAt, string ConversationId);

/// <summary>Lists a user's conversations. A host service over the conversations table; owner and tenant are part of the query.</summary>
public interface IConversationList
{
    /// <summary>
    /// The user's conversations, most recently updated first, after <paramref name="after"/>; with
    /// <paramref name="search"/>, only those whose title or history holds that text (case-insensitive), a match in the
    /// history shown in <see cref="ConversationInfo.Match"/>.
    /// </summary>
    Task<IReadOnlyList<ConversationInfo>> ListAsync(string tenantId, string userId, ConversationCursor? after, int limit, CancellationToken ct, string? search = null);
}
