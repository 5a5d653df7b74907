namespace Conversations.Routing.Tests.Cost;

public sealed class CostCalculatorTests
{
    [Fact]
    public void Prices_uncached_cached_and_completion_tokens_separately()
    {
        // Proves each token kind is billed at its own per-million price.
        var model = TestModels.Large; // 1.60 in, 0.64 cached, 6.40 out per million.
        var cost = CostCalculator.Cost(model, new TokenCounts(1_000_000, 250_000, 500_000));
        Assert.Equal((750_000 * 1.60m + 250_000 * 0.64m + 500_000 * 6.40m) / 1_000_000m, cost);
    }

    [Fact]
    public void Batch_applies_the_discount_and_worst_case_assumes_no_cache()
    {
        // Proves batch calls are billed at (1 - discount) and reservations never count on cache hits.
        var model = TestModels.Large;
        var usage = new TokenCounts(2000, 1500, 300);
        Assert.Equal(CostCalculator.Cost(model, usage) * (1 - model.BatchDiscount), CostCalculator.Cost(model, usage, PricingMode.Batch));
        Assert.True(CostCalculator.WorstCase(model, 2000, 300) > CostCalculator.Cost(model, usage));
        Assert.Equal(CostCalculator.Cost(model, usage with { CachedPromptTokens = 0 }), CostCalculator.WorstCase(model, 2000, 300));
    }

    [Fact]
    public void Cached_savings_are_the_price_gap_on_cached_tokens()
    {
        // Proves savings plus real cost equal the cost without a context cache.
        var model = TestModels.Large;
        var usage = new TokenCounts(4000, 3000, 200);
        Assert.Equal(CostCalculator.Cost(model, usage with { CachedPromptTokens = 0 }), CostCalculator.Cost(model, usage) + CostCalculator.CachedTokenSavings(model, usage));
    }

    [Fact]
    public void Rejects_more_cached_than_prompt_tokens()
    {
        // Proves impossible usage is refused instead of priced negative.
        Assert.Throws<ArgumentException>(() => CostCalculator.Cost(TestModels.Small, new TokenCounts(10, 11, 0)));
    }
}
