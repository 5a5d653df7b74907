using Conversations.Contracts.Routing;
using Conversations.Routing.Catalog;
using Conversations.Routing.Policy;

namespace Conversations.Grains.Routing;

/// <summary>Turns the admin's settings into the routing library's catalog and policy, validating as it goes.</summary>
internal static class ConfigMapping
{
    /// <summary>Most models in a tenant's catalog.</summary>
    public const int MaxModels = 100;

    /// <summary>Longest model name at the endpoint, or domain name.</summary>
    public const int MaxNameChars = 200;

    /// <summary>Longest API key.</summary>
    public const int MaxApiKeyChars = 4096;

    /// <summary>Most domains of a model, and most fallbacks or domain rules of a policy.</summary>
    public const int MaxListItems = 50;

    /// <summary>Longest accepted cache lifetime (a week).</summary>
    public const int MaxCacheTtlSeconds = 7 * 24 * 3600;

    /// <summary>The tier named by <paramref name="tier"/> ("small", "large", "domain"); throws <see cref="ArgumentException"/> otherwise.</summary>
    public static ModelTier ParseTier(string? tier) => tier?.Trim().ToLowerInvariant() switch
    {
        "small" => ModelTier.Small,
        "large" => ModelTier.Large,
        "domain" => ModelTier.Domain,
        _ => throw new ArgumentException($"Model tier '{tier}' must be one of small, large, domain."),
    };

    /// <summary>The catalog entry for a registration.</summary>
    public static ModelEntry ToEntry(ModelRegistration m) => new(
        m.Id ?? "", m.Endpoint ?? "", m.ModelName ?? "", ParseTier(m.Tier), m.Domains ?? [], m.InputPerMillion, m.CachedInputPerMillion,
        m.OutputPerMillion, m.ContextWindowTokens, m.BatchDiscount, m.Vision);

    /// <summary>The validated catalog of <paramref name="models"/>.</summary>
    public static ModelCatalog ToCatalog(IEnumerable<ModelRegistration> models) => new(models.Select(ToEntry));

    /// <summary>The routing library's policy for the admin's settings.</summary>
    public static RoutingPolicy ToPolicy(RoutingPolicySettings p) => new()
    {
        SmallModelId = p.SmallModelId,
        LargeModelId = p.LargeModelId,
        ComplexityThreshold = p.ComplexityThreshold,
        RouterThreshold = p.RouterThreshold,
        Escalation = p.Escalation,
        DomainRules = (p.DomainRules ?? throw new ArgumentException("domainRules must be a list."))
            .Select((r, i) => r is null ? throw new ArgumentException($"domainRules[{i}] must be a rule, not null.") : new DomainRule(r.Domain, r.ModelId)).ToList(),
        FallbackModelIds = p.FallbackModelIds ?? throw new ArgumentException("fallbackModelIds must be a list."),
        MonthlyBudgetUsd = p.MonthlyBudgetUsd,
        AtBudgetLimit = ParseLimitAction(p.AtBudgetLimit),
        Canary = p.Canary is { } c ? ToCanary(c) : null,
    };

    /// <summary>The canary policy for the admin's settings.</summary>
    public static CanaryPolicy ToCanary(CanarySettings c) => new(c.CandidateModelId, c.BaselineModelId, c.Share)
    {
        Rollback = ToThresholds(c),
    };

    /// <summary>The evaluator's thresholds for a canary.</summary>
    public static CanaryThresholds ToThresholds(CanarySettings c) => new()
    {
        MinTurnsPerArm = c.MinTurnsPerArm,
        MaxErrorRateIncrease = c.MaxErrorRateIncrease,
        MaxTtftP95Ratio = c.MaxTtftP95Ratio,
        MinFeedbackPerArm = c.MinFeedbackPerArm,
        MaxNegativeFeedbackIncrease = c.MaxNegativeFeedbackIncrease,
        PromoteAfterTurns = c.PromoteAfterTurns,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first problem of the whole configuration.</summary>
    public static void Validate(IReadOnlyList<ModelRegistration> models, RoutingPolicySettings? policy)
    {
        // The catalog and policy live in one grain state, read and compiled on every turn: their size is bounded.
        if (models.Count > MaxModels) throw new ArgumentException($"A tenant may register at most {MaxModels} models; delete one it no longer uses first.");
        foreach (var m in models)
        {
            if (m.ModelName is { Length: > MaxNameChars }) throw new ArgumentException($"Model '{m.Id}': modelName must be at most {MaxNameChars} characters.");
            if (m.ApiKey is { Length: > MaxApiKeyChars }) throw new ArgumentException($"Model '{m.Id}': apiKey must be at most {MaxApiKeyChars} characters.");
            if (m.Domains is { } domains && (domains.Count > MaxListItems || domains.Any(d => d?.Length > MaxNameChars)))
                throw new ArgumentException($"Model '{m.Id}': domains may hold at most {MaxListItems} names of at most {MaxNameChars} characters.");
        }
        if (policy is not null && (policy.FallbackModelIds?.Count > MaxListItems || policy.DomainRules?.Count > MaxListItems))
            throw new ArgumentException($"fallbackModelIds and domainRules may hold at most {MaxListItems} entries each.");
        var catalog = ToCatalog(models);
        if (policy is null) return;
        ToPolicy(policy).Validate(catalog);
        if (policy.CacheTtlSeconds is < 1 or > MaxCacheTtlSeconds)
            throw new ArgumentException($"cacheTtlSeconds {policy.CacheTtlSeconds} must be between 1 and {MaxCacheTtlSeconds}.");
        if (double.IsNaN(policy.SemanticThreshold) || policy.SemanticThreshold is < 0.5 or > 1)
            throw new ArgumentException($"semanticThreshold {policy.SemanticThreshold} must be between 0.5 and 1.");
    }

    private static BudgetLimitAction ParseLimitAction(string? action) => action?.Trim().ToLowerInvariant() switch
    {
        "downgrade" or "downgrade-to-small" or null or "" => BudgetLimitAction.DowngradeToSmall,
        "refuse" => BudgetLimitAction.Refuse,
        _ => throw new ArgumentException($"atBudgetLimit '{action}' must be 'downgrade' or 'refuse'."),
    };
}
