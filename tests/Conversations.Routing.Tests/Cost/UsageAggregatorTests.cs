namespace Conversations.Routing.Tests.Cost;

public sealed class UsageAggregatorTests
{
    private static readonly DateOnly Day1 = new(2025, 6, 1);
    private static readonly DateOnly Day2 = new(2025, 6, 2);

    private static UsageRecord ModelTurn(string user, ModelEntry model, DateOnly day, TokenCounts tokens) => new(
        "t1", user, model.Id, day, ServedBy.Model, tokens,
        CostCalculator.Cost(model, tokens),
        CostCalculator.CachedTokenSavings(model, tokens),
        CostCalculator.Cost(TestModels.Large, tokens));

    [Fact]
    public void Groups_by_user_model_and_day_and_sums_exactly()
    {
        // Proves rows per (tenant, user, model, day) add up to the grand total and coarser groupings merge them.
        var aggregator = new UsageAggregator();
        var tokens = new TokenCounts(1000, 400, 200);
        aggregator.Add(ModelTurn("alice", TestModels.Small, Day1, tokens));
        aggregator.Add(ModelTurn("alice", TestModels.Small, Day1, tokens));
        aggregator.Add(ModelTurn("alice", TestModels.Large, Day2, tokens));
        aggregator.Add(ModelTurn("bob", TestModels.Small, Day2, tokens));

        var rows = aggregator.Rows();
        Assert.Equal(3, rows.Count);
        Assert.Equal(2, rows.Single(r => r.Key is { UserId: "alice", Day: var d } && d == Day1).Totals.Turns);
        Assert.Equal(aggregator.Total().CostUsd, rows.Sum(r => r.Totals.CostUsd));
        Assert.Equal(2, aggregator.Rows(UsageDimensions.User).Count);
        Assert.Equal(2, aggregator.Rows(UsageDimensions.Model).Count);
        Assert.Equal(4, aggregator.Rows(UsageDimensions.None).Single().Totals.Turns);
    }

    [Fact]
    public void Reports_cached_token_cache_hit_and_routing_savings()
    {
        // Proves each saving is counted where it arises: cached tokens, answers without a model, and cheaper models.
        var aggregator = new UsageAggregator();
        var tokens = new TokenCounts(1000, 500, 200);
        var small = ModelTurn("alice", TestModels.Small, Day1, tokens);
        aggregator.Add(small);
        var large = ModelTurn("alice", TestModels.Large, Day1, tokens);
        aggregator.Add(large);
        var avoided = CostCalculator.Cost(TestModels.Large, tokens);
        aggregator.Add(new UsageRecord("t1", "alice", "cache", Day1, ServedBy.AnswerCache, TokenCounts.None, 0, 0, avoided));
        aggregator.Add(new UsageRecord("t1", "alice", "hard-coded", Day1, ServedBy.HardCodedReply, TokenCounts.None, 0, 0, avoided));

        var total = aggregator.Total();
        Assert.Equal(1, total.CacheHits);
        Assert.Equal(1, total.HardCodedReplies);
        Assert.Equal(2 * avoided, total.CacheSavingsUsd);
        Assert.Equal(small.AlwaysLargeCostUsd - small.CostUsd, total.RoutingSavingsUsd);
        Assert.Equal(small.CachedTokenSavingsUsd + large.CachedTokenSavingsUsd, total.CachedTokenSavingsUsd);
        Assert.Equal(0.5, total.CachedPromptShare);
        Assert.InRange(total.SavedShare, 0.70, 0.80); // Two of four turns free, one on a model ~32× cheaper.
    }

    [Fact]
    public void Clear_empties_after_a_flush()
    {
        // Proves the aggregator can be drained after its rows are written.
        var aggregator = new UsageAggregator();
        aggregator.Add(ModelTurn("alice", TestModels.Small, Day1, new TokenCounts(10, 0, 10)));
        aggregator.Clear();
        Assert.Equal(0, aggregator.Count);
        Assert.Empty(aggregator.Rows());
    }
}
