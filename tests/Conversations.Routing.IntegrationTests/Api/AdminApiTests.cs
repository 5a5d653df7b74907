namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>The routing admin API: validation, usage report, offline batches and the capacity estimator.</summary>
public sealed class AdminApiTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "Invalid models and policies are 400s that name the problem; keys are never shown; users may not administer routing")]
    public async Task Validation_and_access()
    {
        using var t = await fx.NewTenantAsync();
        var bad = await t.Admin.Http.PutAsJsonAsync("/v1/routing/models/broken", new
        {
            endpoint = "not a url", modelName = "m", tier = "small", inputPerMillion = 1, outputPerMillion = 2, contextWindowTokens = 1000,
        });
        Assert.Contains("endpoint", (await ApiClient.ProblemAsync(bad, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        var tier = await t.Admin.Http.PutAsJsonAsync("/v1/routing/models/broken", new
        {
            endpoint = "http://127.0.0.1:1/v1", modelName = "m", tier = "huge", inputPerMillion = 1, outputPerMillion = 2, contextWindowTokens = 1000,
        });
        Assert.Contains("tier", (await ApiClient.ProblemAsync(tier, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        var policy = await t.Admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "small", largeModelId = "nope" });
        Assert.Contains("nope", (await ApiClient.ProblemAsync(policy, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        // A null where a domain rule belongs is the client's mistake (a 400 naming it), not a 500.
        var nullRule = await t.Admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "small", largeModelId = "large", domainRules = new object?[] { null } });
        Assert.Contains("domainRules[0]", (await ApiClient.ProblemAsync(nullRule, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        var budget = await t.Admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "small", largeModelId = "large", monthlyBudgetUsd = -1 });
        await ApiClient.ProblemAsync(budget, HttpStatusCode.BadRequest);

        var config = await t.GetAsync("/v1/routing");
        Assert.Null(config["policy"]); // nothing set yet: turns use the platform model
        var model = config["models"]!.AsArray().First(m => m!["id"]!.GetValue<string>() == "small")!;
        Assert.True(model["hasApiKey"]!.GetValue<bool>());
        Assert.Null(model["apiKey"]);
        Assert.DoesNotContain("test-key", config.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, (await t.User.Http.GetAsync("/v1/routing")).StatusCode);
    }

    [Fact(DisplayName = "Usage per day, user and model shows tokens, cost and the turns a canned reply or the cache answered")]
    public async Task Usage_report()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        Assert.Equal("hard-coded", (await t.AskAsync("thanks!")).Done()["model"]!.GetValue<string>());
        var answer = (await t.AskAsync("Where is the expense report form?")).Done();
        await Task.Delay(400);
        Assert.Equal("exact-cache", (await t.AskAsync("where is the expense report form")).Done()["model"]!.GetValue<string>());
        await Task.Delay(400);

        var report = await t.GetAsync("/v1/usage");
        var totals = report["totals"]!;
        Assert.Equal(3, totals["turns"]!.GetValue<long>());
        Assert.Equal(1, totals["hardCodedReplies"]!.GetValue<long>());
        Assert.Equal(1, totals["cacheHits"]!.GetValue<long>());
        Assert.Equal(answer["usage"]!["costUsd"]!.GetValue<decimal>(), totals["costUsd"]!.GetValue<decimal>());
        Assert.True(totals["cacheSavingsUsd"]!.GetValue<decimal>() > 0);
        var small = report["rows"]!.AsArray().Single(r => r!["model"]!.GetValue<string>() == "small")!;
        Assert.Equal("alice", small["userId"]!.GetValue<string>());
        Assert.True(small["promptTokens"]!.GetValue<long>() > 0 && small["completionTokens"]!.GetValue<long>() > 0);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/usage?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z"), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "An offline batch is answered in the background and priced at the batch rate; only its owner and admins see it")]
    public async Task Batch_is_processed_at_batch_rate()
    {
        using var t = await fx.NewTenantAsync(smallPrice: 1m);
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        var (status, job) = await t.User.PostAsync("/v1/batches", new { modelId = "small", prompts = new[] { "Summarize A", "Summarize B", "Summarize C" } });
        Assert.Equal(HttpStatusCode.Accepted, status);
        var jobId = job!["jobId"]!.GetValue<string>();

        JsonNode? view = null;
        for (var i = 0; i < 100 && view?["status"]?.GetValue<string>() != "completed"; i++)
        {
            await Task.Delay(100);
            view = (await t.User.Http.GetFromJsonAsync<JsonNode>($"/v1/batches/{jobId}"))!;
        }
        Assert.Equal("completed", view!["status"]!.GetValue<string>());
        Assert.Equal(3, view["succeeded"]!.GetValue<int>());
        var results = (await t.User.Http.GetFromJsonAsync<JsonNode>($"/v1/batches/{jobId}/results"))!["items"]!.AsArray();
        Assert.Equal(3, results.Count);
        foreach (var item in results)
        {
            Assert.StartsWith(t.ServerName("small"), item!["answer"]!.GetValue<string>());
            var p = item["promptTokens"]!.GetValue<int>();
            var c = item["cachedTokens"]!.GetValue<int>();
            var o = item["completionTokens"]!.GetValue<int>();
            var list = ((p - c) * 1m + c * 0.25m + o * 4m) / 1_000_000m;
            Assert.Equal(decimal.Round(list * 0.5m, 8), item["costUsd"]!.GetValue<decimal>());
        }
        using var bob = fx.As(await t.Admin.CreateUserWithKeyAsync("bob"));
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/v1/batches/{jobId}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await t.User.PostAsync("/v1/batches", new { modelId = "nope", prompts = new[] { "x" } })).Status);
    }

    [Fact(DisplayName = "The capacity estimator reproduces the worked example: DeepSeek-R1 671B FP8 on 8 × 96 GB serves about 4 concurrent 64K-token requests")]
    public async Task Capacity_estimate()
    {
        using var t = await fx.NewTenantAsync();
        var (status, body) = await t.Admin.PostAsync("/v1/capacity/estimate", new
        {
            parameterCount = 671e9, precision = "fp8", kvCacheBytesPerToken = 70 * 1024, kvCacheLayout = "replicated",
            gpuMemoryGiB = 96, gpuCount = 8, contextLengths = new[] { 65536 },
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(625, Math.Round(body!["weightsGiB"]!.GetValue<double>()));
        Assert.Equal(4, body["byContextLength"]![0]!["maxConcurrentRequests"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, (await t.Admin.PostAsync("/v1/capacity/estimate", new { parameterCount = 1e9, precision = "fp7" })).Status);
        // Values far outside any set-up are named with their range, never a serializer's message about infinity.
        var (extremeStatus, extreme) = await t.Admin.PostAsync("/v1/capacity/estimate", new
        {
            parameterCount = 1e308, bytesPerParameter = 1e308, kvCacheBytesPerToken = 1, gpuMemoryGiB = 1e-308, gpuCount = 1,
        });
        Assert.Equal(HttpStatusCode.BadRequest, extremeStatus);
        Assert.Contains("parameterCount must be between", extreme!["detail"]!.GetValue<string>());
    }
}
