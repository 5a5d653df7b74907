namespace Conversations.Routing.Cost;

/// <summary>Which fields usage is grouped by.</summary>
[Flags]
internal enum UsageDimensions
{
    /// <summary>One grand total.</summary>
    None = 0,

    /// <summary>Per tenant.</summary>
    Tenant = 1,

    /// <summary>Per user.</summary>
    User = 2,

    /// <summary>Per model.</summary>
    Model = 4,

    /// <summary>Per UTC day.</summary>
    Day = 8,

    /// <summary>Per tenant, user, model and day: the ledger's row.</summary>
    All = Tenant | User | Model | Day,
}

/// <summary>A group's key; fields not grouped by are null.</summary>
internal sealed record UsageKey(string? TenantId, string? UserId, string? ModelId, DateOnly? Day);

/// <summary>
/// Summed usage: turns, tokens, cost, and savings — from cached prompt tokens, from answers served by caches or
/// canned replies (the large-model cost they avoided), and from routing (large-model cost minus real cost of model turns).
/// </summary>
internal sealed record UsageTotals(
    int Turns,
    long PromptTokens,
    long CachedPromptTokens,
    long CompletionTokens,
    decimal CostUsd,
    decimal CachedTokenSavingsUsd,
    int CacheHits,
    int HardCodedReplies,
    decimal CacheSavingsUsd,
    decimal RoutingSavingsUsd,
    decimal AlwaysLargeCostUsd)
{
    /// <summary>Nothing used.</summary>
    public static readonly UsageTotals Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Share of the always-large cost that was not spent (0 when there is nothing to compare).</summary>
    public double SavedShare => AlwaysLargeCostUsd == 0 ? 0 : (double)((AlwaysLargeCostUsd - CostUsd) / AlwaysLargeCostUsd);

    /// <summary>Share of prompt tokens served from the provider's context cache.</summary>
    public double CachedPromptShare => PromptTokens == 0 ? 0 : CachedPromptTokens / (double)PromptTokens;

    /// <summary>These totals plus one record.</summary>
    public UsageTotals Add(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var avoided = record.ServedBy is ServedBy.AnswerCache or ServedBy.HardCodedReply ? record.AlwaysLargeCostUsd - record.CostUsd : 0;
        var routed = record.ServedBy is ServedBy.Model or ServedBy.Extractive ? record.AlwaysLargeCostUsd - record.CostUsd : 0;
        return new UsageTotals(
            Turns + 1,
            PromptTokens + record.Tokens.PromptTokens,
            CachedPromptTokens + record.Tokens.CachedPromptTokens,
            CompletionTokens + record.Tokens.CompletionTokens,
            CostUsd + record.CostUsd,
            CachedTokenSavingsUsd + record.CachedTokenSavingsUsd,
            CacheHits + (record.ServedBy == ServedBy.AnswerCache ? 1 : 0),
            HardCodedReplies + (record.ServedBy == ServedBy.HardCodedReply ? 1 : 0),
            CacheSavingsUsd + avoided,
            RoutingSavingsUsd + routed,
            AlwaysLargeCostUsd + record.AlwaysLargeCostUsd);
    }
}

/// <summary>One group of usage and its totals.</summary>
internal sealed record UsageRow(UsageKey Key, UsageTotals Totals);
