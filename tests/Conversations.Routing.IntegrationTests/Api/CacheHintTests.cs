namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Provider cache hints per registered endpoint.</summary>
public sealed class CacheHintTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "A model registered with sendPromptCacheKey gets the conversation key as prompt_cache_key; one without gets only user")]
    public async Task Prompt_cache_key_is_switched_per_model()
    {
        using var t = await fx.NewTenantAsync();
        await t.PutModelAsync("large", "large", 5m, sendPromptCacheKey: true);
        var config = await t.GetAsync("/v1/routing");
        Assert.True(config["models"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == "large")!["sendPromptCacheKey"]!.GetValue<bool>());

        foreach (var threshold in new[] { 0.0, 1.0 }) // everything to the large model, then everything to the small one
        {
            await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", complexityThreshold = threshold, exactCache = false, semanticCache = false, hardCodedReplies = false });
            Assert.Equal("done", (await t.AskAsync($"Explain the plan {Guid.NewGuid():n}"))[^1].Name);
        }

        var large = fx.Model.Requests.Last(r => r.Model == t.ServerName("large"));
        var small = fx.Model.Requests.Last(r => r.Model == t.ServerName("small"));
        Assert.NotNull(large.User);
        Assert.Equal(large.User, large.PromptCacheKey);
        Assert.NotNull(small.User);
        Assert.Null(small.PromptCacheKey);
    }
}
