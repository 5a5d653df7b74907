namespace Conversations.Routing.Cost;

/// <summary>What answered a turn.</summary>
public enum ServedBy
{
    /// <summary>A model call (<see cref="UsageRecord.ModelId"/> says which).</summary>
    Model = 0,

    /// <summary>The exact or semantic answer cache.</summary>
    AnswerCache = 1,

    /// <summary>A hard-coded reply for a standard intent.</summary>
    HardCodedReply = 2,

    /// <summary>The extractive responder (no model).</summary>
    Extractive = 3,
}

/// <summary>
/// One turn's usage for the ledger. <see cref="AlwaysLargeCostUsd"/> is what the same turn would have cost on the
/// tenant's large model (the caller prices it with <see cref="CostCalculator"/>; for cache hits and canned replies,
/// from an estimate of the tokens a model call would have used); routing and cache savings are measured against it.
/// </summary>
public sealed record UsageRecord(
    string TenantId,
    string UserId,
    string ModelId,
    DateOnly Day,
    ServedBy ServedBy,
    TokenCounts Tokens,
    decimal CostUsd,
    decimal CachedTokenSavingsUsd,
    decimal AlwaysLargeCostUsd);
