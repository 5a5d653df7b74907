namespace Conversations.Routing.Tests.Routing;

public sealed class ModelRouterTests
{
    private const string Simple = "Where can I find the expense form?";
    private const string Complex = "Why did our cloud costs rise, and what should we do about it? Compare the options.";

    private static RouteRequest Request(string question, string conversation = "c1") =>
        new() { TenantId = "t1", ConversationId = conversation, Question = question };

    [Fact]
    public void Simple_goes_small_and_complex_goes_large_with_a_reason()
    {
        // Proves the complexity threshold splits tiers and the reason says why.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy());
        var simple = router.Decide(Request(Simple));
        var complex = router.Decide(Request(Complex));
        Assert.Equal("qwen-small", simple.ModelId);
        Assert.StartsWith("small model", simple.Reason, StringComparison.Ordinal);
        Assert.Equal("qwen-large", complex.ModelId);
        Assert.Contains("reasoning cues", complex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Chain_ends_with_extractive_without_duplicates()
    {
        // Proves the fallback chain follows the policy order, skips the chosen model and ends with the extractive responder.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy());
        var decision = router.Decide(Request(Complex));
        Assert.Equal(["qwen-small", ModelCatalog.ExtractiveId], decision.Fallbacks);
        Assert.Equal(["qwen-large", "qwen-small", ModelCatalog.ExtractiveId], decision.Attempts);
    }

    [Fact]
    public void Open_circuit_moves_the_turn_to_the_next_model_and_then_to_extractive()
    {
        // Proves unavailable models are skipped and the extractive responder is the last resort.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy());
        var largeDown = router.Decide(Request(Complex) with { UnavailableModelIds = ["qwen-large"] });
        Assert.Equal("qwen-small", largeDown.ModelId);
        Assert.Contains("qwen-large skipped: circuit open", largeDown.Reason, StringComparison.Ordinal);
        var allDown = router.Decide(Request(Complex) with { UnavailableModelIds = ["qwen-large", "qwen-small"] });
        Assert.Equal(ModelCatalog.ExtractiveId, allDown.ModelId);
        Assert.Empty(allDown.Fallbacks);
    }

    [Fact]
    public void Requested_tier_or_model_is_first_and_keeps_fallbacks_circuits_and_budget()
    {
        // Proves a client's named tier or model replaces the rules' choice, while fallback, open circuits and a used-up budget still apply.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy());
        Assert.Equal("qwen-small", router.Decide(Request(Complex) with { RequestedModel = "small" }).ModelId);
        Assert.Equal("qwen-large", router.Decide(Request(Simple) with { RequestedModel = "LARGE" }).ModelId);
        var pinned = router.Decide(Request(Simple) with { RequestedModel = "qwen-math" });
        Assert.Equal(["qwen-math", "qwen-small", "qwen-large", ModelCatalog.ExtractiveId], pinned.Attempts);
        Assert.Contains("requested by the client: qwen-math", pinned.Reason, StringComparison.Ordinal);
        Assert.Equal("qwen-small", router.Decide(Request(Simple) with { RequestedModel = "qwen-math", UnavailableModelIds = ["qwen-math"] }).ModelId);
        var broke = router.Decide(Request(Simple) with { RequestedModel = "large", BudgetExhausted = true });
        Assert.Equal(["qwen-small", ModelCatalog.ExtractiveId], broke.Attempts);
        Assert.Equal("qwen-large", router.Decide(Request(Complex) with { RequestedModel = "no-such-model" }).ModelId); // the rules decide
    }

    [Fact]
    public void Domain_rules_win_over_complexity()
    {
        // Proves a detected or client-named domain sends the turn to the domain model.
        var policy = TestModels.Policy() with { DomainRules = [new("math", "qwen-math")] };
        var router = new ModelRouter(TestModels.Catalog(), policy);
        Assert.Equal("qwen-math", router.Decide(Request("Solve the equation 3x + 5 = 20.")).ModelId);
        Assert.Equal("qwen-math", router.Decide(Request(Simple) with { Domain = "MATH" }).ModelId);
        Assert.Equal("qwen-small", router.Decide(Request(Simple)).ModelId);
    }

    [Fact]
    public void Exhausted_budget_downgrades_or_refuses_by_policy()
    {
        // Proves the budget action: downgrade keeps large models out of the whole chain; refuse gives a message and no model.
        var downgrade = new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { MonthlyBudgetUsd = 10 });
        var decision = downgrade.Decide(Request(Complex) with { BudgetExhausted = true });
        Assert.Equal("qwen-small", decision.ModelId);
        Assert.True(decision.DowngradedByBudget);
        Assert.DoesNotContain("qwen-large", decision.Attempts);

        var refuse = new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { MonthlyBudgetUsd = 10, AtBudgetLimit = BudgetLimitAction.Refuse });
        var refused = refuse.Decide(Request(Simple) with { BudgetExhausted = true });
        Assert.True(refused.Refused);
        Assert.Empty(refused.Attempts);
        Assert.Equal(ModelRouter.BudgetRefusalMessage, refused.RefusalMessage);
        Assert.False(refuse.Decide(Request(Simple)).Refused);
    }

    [Fact]
    public void Models_with_too_small_a_context_window_are_skipped()
    {
        // Proves a prompt that does not fit the large model's window goes to a model whose window fits.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy());
        var decision = router.Decide(Request(Complex) with { RequiredContextTokens = 50_000 });
        Assert.Equal("qwen-small", decision.ModelId);
        Assert.Contains("context window", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Canary_share_is_respected_and_a_conversation_keeps_its_arm()
    {
        // Proves about Share of eligible conversations go to the candidate and repeat decisions never switch arms.
        var policy = TestModels.Policy() with { Canary = new("qwen-large-next", "qwen-large", 0.2) };
        var router = new ModelRouter(TestModels.Catalog(), policy);
        var candidates = 0;
        const int conversations = 4000;
        for (var i = 0; i < conversations; i++)
        {
            var first = router.Decide(Request(Complex, $"conv-{i}"));
            var again = new ModelRouter(TestModels.Catalog(), policy).Decide(Request(Complex, $"conv-{i}"));
            Assert.Equal(first.CanaryArm, again.CanaryArm);
            Assert.NotEqual(CanaryArm.None, first.CanaryArm);
            if (first.IsCanary)
            {
                candidates++;
                Assert.Equal("qwen-large-next", first.ModelId);
                Assert.Equal("qwen-large", first.Fallbacks[0]);
            }
        }

        Assert.InRange(candidates / (double)conversations, 0.18, 0.22);
    }

    [Fact]
    public void Canary_applies_only_to_turns_routed_to_the_baseline()
    {
        // Proves small-tier turns are not part of a large-model canary.
        var policy = TestModels.Policy() with { Canary = new("qwen-large-next", "qwen-large", 1.0) };
        var router = new ModelRouter(TestModels.Catalog(), policy);
        Assert.Equal(CanaryArm.None, router.Decide(Request(Simple)).CanaryArm);
        Assert.True(router.Decide(Request(Complex)).IsCanary);
    }

    [Fact]
    public void Raising_the_canary_share_only_adds_conversations()
    {
        // Proves a conversation on the candidate at 10% stays on it at 30%.
        var canary10 = new CanaryPolicy("qwen-large-next", "qwen-large", 0.1);
        var canary30 = canary10 with { Share = 0.3 };
        for (var i = 0; i < 1000; i++)
        {
            if (CanaryAssignment.IsCandidate("t1", $"c{i}", canary10))
            {
                Assert.True(CanaryAssignment.IsCandidate("t1", $"c{i}", canary30));
            }
        }
    }
}
