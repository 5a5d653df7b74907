using Conversations.Contracts.Chat;
using Conversations.Storage.Chat;

namespace Conversations.Grains.ReadServices;

/// <summary>Lists conversations from their table; owner and tenant are in the WHERE clause.</summary>
internal sealed class ConversationList(ConversationStore store) : IConversationList
{
    /// <inheritdoc />
    public async Task<ConversationListPage> ListAsync(
        string tenantId, string userId, ConversationCursor? after, int limit, CancellationToken ct, string? search = null)
    {
        var (rows, next) = await store.ListAsync(tenantId, userId, after is null ? null : (after.UpdatedAt, after.ConversationId), limit, ct, search);
        return new ConversationListPage(
            rows.Select(r => new ConversationInfo(
                r.Conversation.ConversationId, r.Conversation.Title, r.Conversation.CreatedAt, r.Conversation.UpdatedAt, r.Conversation.MessageCount, r.Match)).ToList(),
            next is { } n ? new ConversationCursor(n.UpdatedAt, n.Id) : null);
    }
}
