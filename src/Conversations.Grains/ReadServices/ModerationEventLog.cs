using Conversations.Contracts.Moderation;
using Conversations.Storage.Moderation;

namespace Conversations.Grains.ReadServices;

/// <summary>Pages through the moderation events table, at most <see cref="ModerationEventStore.MaxPageSize"/> a page.</summary>
internal sealed class ModerationEventLog(ModerationEventStore store) : IModerationEventLog
{
    /// <inheritdoc />
    public async Task<ModerationEventList> ListAsync(string tenantId, ModerationEventFilter filter, CancellationToken ct)
    {
        var take = Math.Clamp(filter.Limit, 1, ModerationEventStore.MaxPageSize);
        var rows = await store.ListAsync(tenantId, filter with { Limit = take }, ct);
        var events = rows.Select(r => new ModerationEventEntry(r.Id, r.UserId, r.ConversationId, r.TurnId, r.Phase, r.Action, r.RiskLevel,
            r.Labels, r.Libraries, r.Checkers, r.Content, r.CreatedAt)).ToList();
        // A full page may have a next one; a short page is the last.
        return new ModerationEventList(events, rows.Count == take ? rows[^1].Id : null);
    }
}
