using Conversations.Routing.Catalog;

namespace Conversations.Routing.Policy;

/// <summary>A tenant's rules for choosing a model: tiers, domain rules, fallbacks, budget and canary.</summary>
public sealed record RoutingPolicy
{
    /// <summary>Complexity score at or above which a question goes to the large model, unless set otherwise.</summary>
    public const double DefaultComplexityThreshold = 0.45;

    /// <summary>The default model for simple questions.</summary>
    public required string SmallModelId { get; init; }

    /// <summary>The model for complex questions.</summary>
    public required string LargeModelId { get; init; }

    /// <summary>Complexity score (0..1) at or above which a question goes to the large model.</summary>
    public double ComplexityThreshold { get; init; } = DefaultComplexityThreshold;

    /// <summary>
    /// Learned-router score (1 − P(small), 0..1) at or above which a question leaves the small model; lower buys quality
    /// with cost. Null uses the threshold chosen by cross-validation when the router was trained, except that a
    /// <see cref="ComplexityThreshold"/> of 0 or 1 (everything large, everything small) keeps its meaning.
    /// </summary>
    public double? RouterThreshold { get; init; }

    /// <summary>Whether an answer of the small model that shows it is out of its depth is replaced by the large model's before the user sees it.</summary>
    public bool Escalation { get; init; } = true;

    /// <summary>Domain → model rules, first match wins.</summary>
    public IReadOnlyList<DomainRule> DomainRules { get; init; } = [];

    /// <summary>
    /// Backup models in the order they are tried after the chosen one; empty means small, then large.
    /// The extractive responder always ends the chain and is not listed here.
    /// </summary>
    public IReadOnlyList<string> FallbackModelIds { get; init; } = [];

    /// <summary>Monthly spending limit in USD; null means no limit.</summary>
    public decimal? MonthlyBudgetUsd { get; init; }

    /// <summary>What happens to turns once the monthly budget is used up.</summary>
    public BudgetLimitAction AtBudgetLimit { get; init; } = BudgetLimitAction.DowngradeToSmall;

    /// <summary>The canary release in progress, if any.</summary>
    public CanaryPolicy? Canary { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> with a clear message when the policy names unknown models or values out of range.</summary>
    public void Validate(ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        RequireModel(catalog, SmallModelId, "small model");
        RequireModel(catalog, LargeModelId, "large model");
        if (double.IsNaN(ComplexityThreshold) || ComplexityThreshold is < 0 or > 1)
        {
            throw new ArgumentException($"Complexity threshold {ComplexityThreshold} must be between 0 and 1.");
        }

        if (RouterThreshold is { } router && (double.IsNaN(router) || router is < 0 or > 1))
        {
            throw new ArgumentException($"Router threshold {router} must be between 0 and 1 (or null for the trained default).");
        }

        foreach (var rule in DomainRules ?? throw new ArgumentException("Domain rules must not be null."))
        {
            if (string.IsNullOrWhiteSpace(rule.Domain))
            {
                throw new ArgumentException($"A domain rule for model '{rule.ModelId}' has no domain name.");
            }

            RequireModel(catalog, rule.ModelId, $"domain rule '{rule.Domain}'");
        }

        foreach (var id in FallbackModelIds ?? throw new ArgumentException("Fallback models must not be null."))
        {
            if (string.Equals(id, ModelCatalog.ExtractiveId, StringComparison.OrdinalIgnoreCase))
            {
                continue; // Harmless: the extractive responder ends every chain anyway.
            }

            RequireModel(catalog, id, "fallback chain");
        }

        if (MonthlyBudgetUsd is < 0)
        {
            throw new ArgumentException($"Monthly budget {MonthlyBudgetUsd} USD must not be negative.");
        }

        if (!Enum.IsDefined(AtBudgetLimit))
        {
            throw new ArgumentException($"Budget limit action {(int)AtBudgetLimit} is not one of downgrade-to-small, refuse.");
        }

        if (Canary is { } canary)
        {
            RequireModel(catalog, canary.CandidateModelId, "canary candidate");
            RequireModel(catalog, canary.BaselineModelId, "canary baseline");
            if (string.Equals(canary.CandidateModelId, canary.BaselineModelId, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Canary candidate and baseline are both '{canary.CandidateModelId}'; a canary compares two different models.");
            }

            if (double.IsNaN(canary.Share) || canary.Share is < 0 or > 1)
            {
                throw new ArgumentException($"Canary share {canary.Share} must be between 0 and 1.");
            }

            (canary.Rollback ?? throw new ArgumentException("Canary thresholds must not be null.")).Validate();
        }
    }

    /// <summary>The <see cref="Exception.Data"/> key of the model id a policy names but the catalog lacks.</summary>
    public const string MissingModelKey = "missingModelId";

    /// <summary>The <see cref="Exception.Data"/> key of the part of the policy that names it ("small model", "fallback chain", ...).</summary>
    public const string MissingModelRoleKey = "missingModelRole";

    private static void RequireModel(ModelCatalog catalog, string? id, string role)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"The {role} is not set.");
        }

        if (!catalog.Contains(id))
        {
            // The role and model ride in Data so a caller removing a model can say what still uses it without reading
            // the message (a plain ArgumentException crosses a grain call as the 400 it is).
            throw new ArgumentException($"The {role} '{id}' is not in the model catalog.") { Data = { [MissingModelKey] = id, [MissingModelRoleKey] = role } };
        }
    }
}
