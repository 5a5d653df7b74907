using Conversations.Contracts.Feedback;
using Conversations.Storage.Routing;

namespace Conversations.Grains.ReadServices;

/// <summary>Pages through the votes table, at most <see cref="RoutingStore.MaxFeedbackPage"/> a page.</summary>
internal sealed class FeedbackLog(RoutingStore store) : IFeedbackLog
{
    /// <inheritdoc />
    public async Task<FeedbackList> ListAsync(string tenantId, FeedbackFilter filter, CancellationToken ct)
    {
        var take = Math.Clamp(filter.Limit, 1, RoutingStore.MaxFeedbackPage);
        var (rows, up, down) = await store.ListFeedbackAsync(tenantId, new FeedbackQuery
        {
            Negative = filter.Negative, UserId = filter.UserId, Model = filter.Model, Since = filter.Since, Until = filter.Until,
            WithComment = filter.WithComment, Limit = take,
            Before = filter.After is { } a ? new FeedbackPosition(a.CreatedAt, a.ConversationId, a.Seq) : null,
        }, ct);
        var entries = rows.Select(r => new FeedbackEntry(r.ConversationId, r.Seq, r.UserId, r.TurnId, r.Model, r.Negative, r.Comment, r.CreatedAt, r.UpdatedAt)).ToList();
        // A full page may have a next one; a short page is the last.
        var next = rows.Count == take ? new FeedbackCursor(rows[^1].CreatedAt, rows[^1].ConversationId, rows[^1].Seq) : null;
        return new FeedbackList(entries, next, up, down);
    }
}
