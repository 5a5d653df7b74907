namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Conversation summaries are background work: the tenant's small model writes them, and they are billed.</summary>
public sealed class SummaryRoutingTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "With a routing policy, summaries are written by the small model while turns go to the large one, and their cost is in the budget")]
    public async Task Summary_is_written_by_the_small_model_and_billed()
    {
        using var t = await FoldingTenantAsync();
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
        // The budget holds the turns and the summaries; nothing stays reserved. The last turn's fold runs after its
        // stream has ended, so its reservation settles a moment later.
        var budget = await t.GetAsync("/v1/routing/budget");
        for (var waited = 0; budget["reservedUsd"]!.GetValue<decimal>() != 0m && waited < 150; waited++)
        {
            await Task.Delay(100);
            budget = await t.GetAsync("/v1/routing/budget");
        }
        Assert.True(budget["spentUsd"]!.GetValue<decimal>() > turnCost, $"spent {budget["spentUsd"]} vs turns {turnCost}");
        Assert.Equal(0m, budget["reservedUsd"]!.GetValue<decimal>());
    }

    [Fact(DisplayName = "A turn's stream ends with its answer while the summary fold it started still runs, and the next question waits for the fold instead of being refused as busy")]
    public async Task Stream_ends_before_the_fold_and_the_next_question_waits_for_it()
    {
        using var t = await FoldingTenantAsync();
        var small = t.ServerName("small");
        // The summary writer takes its time, so a fold outlasts the turn that started it by seconds.
        fx.Model.Control.SetModel(small, new ModelBehavior { TimeToFirstToken = TimeSpan.FromSeconds(4) });
        try
        {
            var id = await t.User.CreateConversationAsync();
            var marker = Guid.NewGuid().ToString("n");
            for (var i = 0; i < 12; i++)
            {
                var turnId = $"turn-{i}";
                var turn = await t.User.SendAsync(id, $"{marker} Turn {i}: explain step {i} of the warehouse migration plan in detail.", turnId);
                // On a loaded machine the large model can pass the test platform's one-second stall timeout, and its
                // backup here is the deliberately slow small model: that turn ends in a retryable error, and the next
                // turn goes on building the history the fold needs.
                if (turn[^1].Name == "error" && turn[^1].Data["retryable"]?.GetValue<bool>() == true) continue;
                turn.Done();
                if (!await SummaryRequestedAsync(marker, TimeSpan.FromSeconds(1.5))) continue;

                // The answer's stream has ended, and the fold still holds its reservation...
                var budget = await t.GetAsync("/v1/routing/budget");
                Assert.True(budget["reservedUsd"]!.GetValue<decimal>() > 0m, "the fold should still be running when the stream has ended");
                // A client that got done but lost the connection before reading it resumes from done's id: nothing
                // comes after it, and the stream ends at once instead of waiting for the fold.
                using (var resume = new HttpRequestMessage(HttpMethod.Get, $"/v1/conversations/{id}/turns/{turnId}/events"))
                {
                    resume.Headers.Add("Last-Event-ID", turn[^1].Id);
                    using var within = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    using var res = await t.User.Http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, within.Token);
                    Assert.Equal(HttpStatusCode.OK, res.StatusCode);
                    Assert.DoesNotContain(await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync(within.Token), within.Token), e => e.Name == "delta");
                }
                // ...and the next question is answered once the fold is done, not refused as busy.
                var next = (await t.User.SendAsync(id, $"{marker} One more question about step {i}.")).Done();
                Assert.Equal("large", next["model"]!.GetValue<string>());
                return;
            }
            Assert.Fail("No turn started a summary fold.");
        }
        finally
        {
            fx.Model.Control.RemoveModel(small);
        }
    }

    // A tenant whose conversations fold early, with turns on the large model and summaries on the small one.
    private async Task<TestTenant> FoldingTenantAsync()
    {
        var t = await fx.NewTenantAsync(smallPrice: 1m, largePrice: 10m);
        await t.Admin.PatchSettingsAsync(new { contextBudgetTokens = 2000, summaryThresholdTokens = 400, maxOutputTokens = 200 });
        await t.Admin.RaiseRateLimitsAsync();
        await t.SetPolicyAsync(new
        {
            smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, exactCache = false, semanticCache = false,
            hardCodedReplies = false, monthlyBudgetUsd = 100m, atBudgetLimit = "refuse",
        });
        // A first call on a cold model client can pass the short first-token timeout on a busy host: warm both up first.
        using (var bob = fx.As(await t.Admin.CreateUserWithKeyAsync("bob"))) await t.AskAsync("Warm up: say hello", bob);
        return t;
    }

    private async Task<bool> SummaryRequestedAsync(string marker, TimeSpan within)
    {
        for (var until = DateTime.UtcNow + within; DateTime.UtcNow < until; await Task.Delay(50))
        {
            if (fx.Model.Requests.Any(r => r.Messages[^1].Content.Contains("running summary", StringComparison.Ordinal)
                    && r.Messages[^1].Content.Contains(marker, StringComparison.Ordinal)))
                return true;
        }
        return false;
    }
}
