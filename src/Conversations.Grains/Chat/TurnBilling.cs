using Conversations.Contracts.Chat;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat;

/// <summary>What a turn is billed, from its metered model calls: the token totals and one ledger row per call.</summary>
internal static class TurnBilling
{
    /// <summary>The tokens the turn's calls consumed, reported or estimated; null when no call consumed any.</summary>
    public static TurnUsage? Usage(IReadOnlyList<ModelAttempt> attempts) =>
        attempts.Any(a => a.Usage is not null)
            ? new TurnUsage(attempts.Sum(a => a.Usage?.PromptTokens ?? 0), attempts.Sum(a => a.Usage?.CachedPromptTokens ?? 0),
                attempts.Sum(a => a.Usage?.CompletionTokens ?? 0), 0m)
            : null;

    /// <summary>
    /// One ledger row per call that consumed tokens, at its own model's price (<paramref name="cost"/> lines up with
    /// <paramref name="attempts"/>). A turn no call billed keeps one empty row under <paramref name="answeredBy"/> (a
    /// cache, a canned reply, the extractive responder), so it still counts as a turn; none when that is null.
    /// <paramref name="since"/> is when the turn began (see <see cref="UsageRecord.Since"/>).
    /// </summary>
    public static List<UsageRecord> Rows(string tenantId, string userId, string conversationId, string turnId,
        IReadOnlyList<ModelAttempt> attempts, TurnCost? cost, string? answeredBy, DateTimeOffset since)
    {
        // An evaluation case's turn is the chat pipeline's own, billed under its own kind so the tenant sees it apart.
        var kind = Evaluation.EvaluationConversations.Is(conversationId) ? UsageKinds.Evaluation : UsageKinds.Turn;
        var rows = new List<UsageRecord>();
        for (var i = 0; i < attempts.Count; i++)
        {
            if (attempts[i].Usage is not { } u) continue;
            var price = cost is not null && i < cost.AttemptCostsUsd.Count ? cost.AttemptCostsUsd[i] : 0m;
            rows.Add(new UsageRecord(tenantId, userId, conversationId, turnId, attempts[i].ModelId, u.PromptTokens, u.CachedPromptTokens,
                u.CompletionTokens, price, kind, rows.Count, attempts[i].Estimated, since));
        }
        if (rows.Count == 0 && answeredBy is not null)
            rows.Add(new UsageRecord(tenantId, userId, conversationId, turnId, answeredBy, 0, 0, 0, 0m, kind, Since: since));
        return rows;
    }
}
