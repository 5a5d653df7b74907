using Conversations.Routing.Catalog;

namespace Conversations.Routing.Cost;

/// <summary>Prices tokens with a catalog entry: uncached prompt, cached prompt and completion tokens, real-time or batch.</summary>
public static class CostCalculator
{
    private const decimal TokensPerMillion = 1_000_000m;

    /// <summary>USD cost of <paramref name="usage"/> on <paramref name="model"/>.</summary>
    public static decimal Cost(ModelEntry model, TokenCounts usage, PricingMode mode = PricingMode.Realtime)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(usage);
        usage.Validate();
        var uncached = usage.PromptTokens - usage.CachedPromptTokens;
        var listPrice = ((uncached * model.InputPerMillion)
            + (usage.CachedPromptTokens * model.CachedInputPerMillion)
            + (usage.CompletionTokens * model.OutputPerMillion)) / TokensPerMillion;
        return listPrice * Factor(model, mode);
    }

    /// <summary>The most a call can cost: every prompt token uncached and the answer at its token limit. Reserve this before calling.</summary>
    public static decimal WorstCase(ModelEntry model, int promptTokens, int maxCompletionTokens, PricingMode mode = PricingMode.Realtime) =>
        Cost(model, new TokenCounts(promptTokens, 0, maxCompletionTokens), mode);

    /// <summary>What the provider's context cache saved on <paramref name="usage"/> compared with paying the full input price.</summary>
    public static decimal CachedTokenSavings(ModelEntry model, TokenCounts usage, PricingMode mode = PricingMode.Realtime)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(usage);
        usage.Validate();
        return usage.CachedPromptTokens * (model.InputPerMillion - model.CachedInputPerMillion) / TokensPerMillion * Factor(model, mode);
    }

    private static decimal Factor(ModelEntry model, PricingMode mode) => mode == PricingMode.Batch ? 1m - model.BatchDiscount : 1m;
}
