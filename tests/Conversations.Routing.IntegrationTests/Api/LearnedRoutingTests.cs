namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>The learned router, domain routes and escalation through the real API, silo and test model server, caches off.</summary>
public sealed class LearnedRoutingTests(RoutingPlatform fx) : RoutingPlatformTests
{
    private static object Policy(bool escalation = true) => new
    {
        smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false, escalation,
    };

    [Fact(DisplayName = "Learned router: a hard request without cue words goes to the large model, a simple one to the small model, and done.route explains both")]
    public async Task Hard_without_cue_words_goes_large_and_simple_goes_small()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(Policy());
        var hard = (await t.AskAsync("Our team keeps missing sprint deadlines. Put together a plan for next quarter that fixes it, with owners and milestones.")).Done();
        Assert.Equal("large", hard["model"]!.GetValue<string>());
        var route = hard["route"]!.GetValue<string>();
        Assert.Contains("learned router", route);
        Assert.Contains("meaning (embedding)", route);
        Assert.Contains("score", route);

        var simple = (await t.AskAsync("What time does the office open on Saturday?")).Done();
        Assert.Equal("small", simple["model"]!.GetValue<string>());
        Assert.Contains("learned router", simple["route"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Domain route: a math word problem goes to the math model when the tenant registered one, else to the large model")]
    public async Task Math_word_problem_goes_to_the_domain_model()
    {
        const string problem = "A train leaves at 9:40 and travels 315 km at 84 km/h. When does it arrive, and how long would it take at 105 km/h?";
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(Policy());
        Assert.Equal("large", (await t.AskAsync(problem)).Done()["model"]!.GetValue<string>());

        var res = await t.Admin.Http.PutAsJsonAsync("/v1/routing/models/math", new
        {
            endpoint = fx.Model.BaseUrl, apiKey = "test-key", modelName = t.ServerName("math"), tier = "domain", domains = new[] { "math" },
            inputPerMillion = 1m, cachedInputPerMillion = 0.25m, outputPerMillion = 4m, contextWindowTokens = 128_000, batchDiscount = 0.5m,
        });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        await Task.Delay(RoutingPlatform.ConfigSettle);
        var done = (await t.AskAsync(problem)).Done();
        Assert.Equal("math", done["model"]!.GetValue<string>());
        Assert.Contains("domain model math", done["route"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Escalation: a small model that answers it is not sure is replaced by the large model before the user sees its words, and both calls are billed")]
    public async Task Unsure_small_answer_escalates_to_large()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(Policy());
        var small = t.ServerName("small");
        await t.AskAsync("Warm up: say hello"); // a cold platform's first turn may miss the first-token timeout
        var before = fx.Model.Requests.Select(r => r.Sequence).DefaultIfEmpty(0).Max();
        fx.Model.Control.SetModel(small, new ModelBehavior { ScriptedAnswer = "I'm not sure about this one, sorry.", TimeToFirstToken = TimeSpan.FromMilliseconds(5) });
        try
        {
            var events = await t.AskAsync("What time does the office open on Saturday?");
            var done = events.Done();
            Assert.Equal("large", done["model"]!.GetValue<string>());
            Assert.True(done["route"]!.GetValue<string>().Contains("escalated to large", StringComparison.Ordinal), events.Dump());
            Assert.DoesNotContain("not sure", events.AnswerText());
            Assert.StartsWith(t.ServerName("large"), events.AnswerText()); // the test model's answers start with its own name
            Assert.Contains(events, e => e.Name == "progress" && e.Data["stage"]?.GetValue<string>() == "escalating");
            // The small call asked for the low-confidence marker and was billed beside the large one.
            var smallCall = Assert.Single(fx.Model.Requests, r => r.Model == small && r.Sequence > before);
            Assert.Contains(smallCall.Messages, m => m.Content.Contains("[[unsure]]", StringComparison.Ordinal));
            Assert.Single(fx.Model.Requests, r => r.Model == t.ServerName("large") && r.Sequence > before);
            Assert.True(done["usage"]!["costUsd"]!.GetValue<decimal>() > 0);
        }
        finally
        {
            fx.Model.Control.RemoveModel(small);
        }

        // Escalation off: the same unsure answer is what the user gets.
        fx.Model.Control.SetModel(small, new ModelBehavior { ScriptedAnswer = "I'm not sure about this one, sorry.", TimeToFirstToken = TimeSpan.FromMilliseconds(5) });
        try
        {
            await t.SetPolicyAsync(Policy(escalation: false));
            var events = await t.AskAsync("What time does the office open on Saturday?");
            Assert.Equal("small", events.Done()["model"]!.GetValue<string>());
            Assert.Contains("not sure", events.AnswerText());
        }
        finally
        {
            fx.Model.Control.RemoveModel(small);
        }
    }

    [Fact(DisplayName = "Router threshold: out of range is a 400 naming it; a valid one is stored")]
    public async Task Router_threshold_is_validated()
    {
        using var t = await fx.NewTenantAsync();
        var bad = await t.Admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "small", largeModelId = "large", routerThreshold = 1.5 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Router threshold", await bad.Content.ReadAsStringAsync());
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", routerThreshold = 0.3 });
        Assert.Equal(0.3, (await t.GetAsync("/v1/routing"))["policy"]!["routerThreshold"]!.GetValue<double>());
    }
}
