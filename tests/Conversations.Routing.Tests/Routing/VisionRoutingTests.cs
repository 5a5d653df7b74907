namespace Conversations.Routing.Tests.Routing;

public sealed class VisionRoutingTests
{
    private static readonly ModelEntry Eye = TestModels.Small with { Id = "qwen-vl", ModelName = "qwen-vl-plus", Vision = true };

    private static RouteRequest Request(string question) =>
        new() { TenantId = "t1", ConversationId = "c1", Question = question, RequiresVision = true };

    [Fact]
    public void Images_go_only_to_vision_models_even_past_the_policy()
    {
        // Proves a question with images skips the policy's text-only models for a vision-capable one of the catalog.
        var router = new ModelRouter(new ModelCatalog([TestModels.Small, TestModels.Large, Eye]), TestModels.Policy());
        var decision = router.Decide(Request("What is in this picture?"));
        Assert.False(decision.Refused);
        Assert.Equal(["qwen-vl", ModelCatalog.ExtractiveId], decision.Attempts);
        Assert.Contains("does not read images", decision.Reason, StringComparison.Ordinal);
        // A model the chain names twice (the primary, then a backup) is explained once.
        foreach (var skipped in new[] { TestModels.Small.Id, TestModels.Large.Id })
            Assert.Single(decision.Reason.Split("; "), r => r == $"{skipped} skipped: does not read images");
    }

    [Fact]
    public void Text_questions_are_routed_as_before()
    {
        // Proves the vision model is not added to a text question's chain.
        var router = new ModelRouter(new ModelCatalog([TestModels.Small, TestModels.Large, Eye]), TestModels.Policy());
        Assert.DoesNotContain("qwen-vl", router.Decide(Request("What is in this picture?") with { RequiresVision = false }).Attempts);
    }

    [Fact]
    public void No_vision_model_is_a_refusal_that_says_so()
    {
        // Proves a catalog without a vision-capable model refuses an image question with its own code and message.
        var decision = new ModelRouter(TestModels.Catalog(), TestModels.Policy()).Decide(Request("What is in this picture?"));
        Assert.True(decision.Refused);
        Assert.Equal("no_vision_model", decision.RefusalCode);
        Assert.Equal(ModelRouter.NoVisionModelMessage, decision.RefusalMessage);
    }

    [Fact]
    public void Vision_models_all_down_is_a_retry_later_refusal()
    {
        // Proves open circuits on every vision model refuse the turn (not an extractive answer that ignores the image).
        var router = new ModelRouter(new ModelCatalog([TestModels.Small, TestModels.Large, Eye]), TestModels.Policy());
        var decision = router.Decide(Request("What is in this picture?") with { UnavailableModelIds = ["qwen-vl"] });
        Assert.Equal(ModelRouter.VisionUnavailableMessage, decision.RefusalMessage);
    }
}
