namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Conversation summaries are background work: the tenant's small model writes them, and they are billed.</summary>
[Collection(RoutingCollection.Name)]
public sealed class SummaryRoutingTests(RoutingPlatform fx)
{
    [Fact(DisplayName = "With a routing policy, summaries are written by the small model while turns go to the large one, and their cost is in the budget")]
    public async Task Summary_is_written_by_the_small_model_and_billed()
    {
        using var t = await fx.NewTenantAsync(smallPrice: 1m, largePrice: 10m);
        await t.Admin.PatchSettingsAsync(new { contextBudgetTokens = 2000, summaryThresholdTokens = 400, maxOutputTokens = 200 });
        await t.Admin.RaiseRateLimitsAsync();
        await t.SetPolicyAsync(new
        {
            smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, exactCache = false, semanticCache = false,
            hardCodedReplies = false, monthlyBudgetUsd = 100m, atBudgetLimit = "refuse",
        });

        // A first call on a cold model client can pass the short first-token timeout on a busy host: warm both up first.
        using (var bob = fx.As(await t.Admin.CreateUserWithKeyAsync("bob"))) await t.AskAsync("Warm up: say hello", bob);

        var id = await t.User.CreateConversationAsync();
        var marker = Guid.NewGuid().ToString("n");
        var turnCost = 0m;
        for (var i = 0; i < 10; i++)
        {
            var done = (await t.User.SendAsync(id, $"{marker} Turn {i}: explain step {i} of the warehouse migration plan in detail.")).Done();
            Assert.Equal("large", done["model"]!.GetValue<string>());
            turnCost += done["usage"]!["costUsd"]!.GetValue<decimal>();
        }

        var summaries = fx.Model.Requests
            .Where(r => r.Messages[^1].Content.Contains("running summary", StringComparison.Ordinal) && r.Messages[^1].Content.Contains(marker, StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(summaries);
        Assert.All(summaries, r => Assert.Equal(t.ServerName("small"), r.Model));
        // The budget holds the turns and the summaries; nothing stays reserved.
        var budget = await t.GetAsync("/v1/routing/budget");
        Assert.True(budget["spentUsd"]!.GetValue<decimal>() > turnCost, $"spent {budget["spentUsd"]} vs turns {turnCost}");
        Assert.Equal(0m, budget["reservedUsd"]!.GetValue<decimal>());
    }
}
