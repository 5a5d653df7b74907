using Conversations.Contracts.Feedback;
using Conversations.Moderation;
using Conversations.Moderation.Engine;
using Conversations.Moderation.Pii;
using Conversations.Storage.Routing;

namespace Conversations.Grains.ReadServices;

/// <summary>Pages through the votes table, at most <see cref="RoutingStore.MaxFeedbackPage"/> a page.</summary>
internal sealed class FeedbackLog(RoutingStore store, FeedbackSummaryStore summaries) : IFeedbackLog
{
    /// <summary>Thumbs-down comments shown per model and period.</summary>
    public const int CommentsPerGroup = 3;

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<long, string>> RatingsAsync(string tenantId, string userId, string conversationId, long from, long to, CancellationToken ct) =>
        (await store.VotesAsync(tenantId, userId, conversationId, from, to, ct)).ToDictionary(v => v.Key, v => v.Value ? "down" : "up");

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeedbackSummaryEntry>> SummaryAsync(string tenantId, string period, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        var rows = await summaries.SummaryAsync(tenantId, period, since, until, ct);
        var comments = new Dictionary<(DateTimeOffset, string), IReadOnlyList<string>>();
        var entries = new List<FeedbackSummaryEntry>(rows.Count);
        foreach (var row in rows)
        {
            var key = (row.PeriodStart, row.Model);
            if (!comments.TryGetValue(key, out var recent))
            {
                // Comments come through the listing, so they read as the listing shows them, personal data masked.
                var end = period switch { "day" => row.PeriodStart.AddDays(1), "week" => row.PeriodStart.AddDays(7), _ => row.PeriodStart.AddMonths(1) };
                var page = await ListAsync(tenantId, new FeedbackFilter
                {
                    Negative = true, Model = row.Model, WithComment = true, Limit = CommentsPerGroup,
                    Since = row.PeriodStart > since ? row.PeriodStart : since, Until = end < until ? end : until,
                }, ct);
                comments[key] = recent = page.Entries.Select(e => e.Comment).ToList();
            }
            entries.Add(new FeedbackSummaryEntry(row.PeriodStart, row.Model, row.Route, row.Votes, row.Votes - row.Negative, row.Negative, recent));
        }
        return entries;
    }

    // Every personal-data span the scanner finds becomes its kind's mask, as the moderation stage masks a message.
    private static string MaskPersonalData(string text) =>
        TextMasker.Mask(text, PiiScanner.Default.Scan(text)
            .Select(p => new ModerationHit(p.Start, p.End, HitSource.Pii, "pii", RiskLevel.Low, ModerationAction.Mask, p.Kind)).ToList(), _ => true);

    /// <inheritdoc />
    public async Task<FeedbackList> ListAsync(string tenantId, FeedbackFilter filter, CancellationToken ct)
    {
        var take = Math.Clamp(filter.Limit, 1, RoutingStore.MaxFeedbackPage);
        var (rows, up, down) = await store.ListFeedbackAsync(tenantId, filter with { Limit = take }, ct);
        // A full page may have a next one; a short page is the last.
        var next = rows.Count == take ? new FeedbackCursor(rows[^1].CreatedAt, rows[^1].ConversationId, rows[^1].Seq) : null;
        // An admin reads what users wrote about answers, not the phone numbers and addresses they put in it.
        return new FeedbackList(rows.Select(r => r with { Comment = MaskPersonalData(r.Comment) }).ToList(), next, up, down);
    }
}
