using Conversations.Contracts.Chat;
using Conversations.Storage.Chat;

namespace Conversations.Grains.ReadServices;

/// <summary>Lists conversations from their table; owner and tenant are in the WHERE clause.</summary>
internal sealed class ConversationList(ConversationStore store) : IConversationList
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<ConversationInfo>> ListAsync(
        string tenantId, string userId, ConversationCursor? after, int limit, CancellationToken ct, string? titleContains = null)
    {
        var rows = await store.ListAsync(tenantId, userId, after is null ? null : (after.UpdatedAt, after.ConversationId), limit, ct, titleContains);
        return rows.Select(r => new ConversationInfo(r.ConversationId, r.Title, r.CreatedAt, r.UpdatedAt, r.MessageCount)).ToList();
    }
}
