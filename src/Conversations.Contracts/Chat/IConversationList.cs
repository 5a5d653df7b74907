namespace Conversations.Contracts.Chat;

/// <summary>Where a page of conversations goes on: after this conversation, most recently updated first.</summary>
public sealed record ConversationCursor(DateTimeOffset UpdatedAt, string ConversationId);

/// <summary>A page of a user's conversations, and where the next one starts (null at the end of the list).</summary>
/// <param name="Next">
/// Where the list goes on. A search reads a bounded number of conversations per request, so its page may hold fewer
/// (even none) and still have a next one.
/// </param>
public sealed record ConversationListPage(IReadOnlyList<ConversationInfo> Conversations, ConversationCursor? Next);

/// <summary>Lists a user's conversations. A host service over the conversations table; owner and tenant are part of the query.</summary>
public interface IConversationList
{
    /// <summary>
    /// The user's conversations, most recently updated first, after <paramref name="after"/>; with
    /// <paramref name="search"/>, only those whose title or history holds that text (case-insensitive), a match in the
    /// history shown in <see cref="ConversationInfo.Match"/>.
    /// </summary>
    Task<ConversationListPage> ListAsync(string tenantId, string userId, ConversationCursor? after, int limit, CancellationToken ct, string? search = null);
}
