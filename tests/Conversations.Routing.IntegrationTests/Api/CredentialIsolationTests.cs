namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>One tenant's credential cannot switch off, or show its figures to, another tenant on the same endpoint and model.</summary>
public sealed class CredentialIsolationTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "A tenant created again under a deleted tenant's id routes to its own models, never to the deleted tenant's catalog a silo compiled")]
    public async Task Recreated_tenant_routes_to_its_own_models()
    {
        var tenantId = TestIds.Tenant("rr");
        object Policy() => new { smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false };
        using (var old = await fx.NewTenantAsync(tenantId: tenantId, serverSuffix: "deleted"))
        {
            await old.SetPolicyAsync(Policy()); // version 3: two models and the policy, compiled on the silo by the next turn
            (await old.AskAsync("What is the travel policy?")).Done();
            using var op = fx.Operator();
            Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
        }
        var before = fx.Model.Requests.Select(r => r.Sequence).DefaultIfEmpty(0).Max();

        // The same three edits bring the new tenant to the same version number.
        using var again = await fx.NewTenantAsync(tenantId: tenantId, serverSuffix: "current");
        await again.SetPolicyAsync(Policy());
        (await again.AskAsync("What is the travel policy?")).Done();

        var calls = fx.Model.Requests.Where(r => r.Sequence > before).Select(r => r.Model).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, m => Assert.EndsWith("-current", m));
        using var cleanup = fx.Operator();
        Assert.Equal(HttpStatusCode.NoContent, (await cleanup.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
    }

    [Fact(DisplayName = "Editing a model without its key keeps the stored key (turns still authenticate); a new endpoint needs the key again; \"\" removes it")]
    public async Task Edit_keeps_the_stored_key_for_the_same_endpoint_only()
    {
        await using var keyed = await TestModelServer.StartAsync(new TestModelOptions
        {
            ApiKey = "good-key",
            Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2) },
        });
        using var t = await fx.NewTenantAsync();
        await t.PutModelAsync("large", "large", 5m, t.ServerName("large"), keyed.BaseUrl, apiKey: "good-key", vision: true);
        await t.SetPolicyAsync(RoutingPolicies.LargeFirst);

        // A price edit as the console sends it: no apiKey, no vision.
        object Edit(string endpoint, string? apiKey) => new
        {
            endpoint, apiKey, modelName = t.ServerName("large"), tier = "large", inputPerMillion = 6m, outputPerMillion = 24m, contextWindowTokens = 128_000,
        };
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync("/v1/routing/models/large", new
        {
            endpoint = keyed.BaseUrl, modelName = t.ServerName("large"), tier = "large", inputPerMillion = 6m, outputPerMillion = 24m, contextWindowTokens = 128_000,
        }), HttpStatusCode.OK);
        var model = (await t.GetAsync("/v1/routing"))["models"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == "large")!;
        Assert.True(model["hasApiKey"]!.GetValue<bool>());
        Assert.True(model["vision"]!.GetValue<bool>());
        Assert.Equal(6m, model["inputPerMillion"]!.GetValue<decimal>());
        var before = keyed.Requests.Count;
        Assert.Equal("large", (await t.AskAsync("Explain the trade-offs of the new plan in detail")).Done()["model"]!.GetValue<string>());
        Assert.True(keyed.Requests.Count > before);

        // Moving the model to another endpoint without sending a key again is refused: the key never follows it.
        var moved = await t.Admin.Http.PutAsJsonAsync("/v1/routing/models/large", Edit(fx.Model.BaseUrl, apiKey: null));
        Assert.Contains("apiKey", (await ApiClient.ProblemAsync(moved, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        Assert.Equal(keyed.BaseUrl, (await t.GetAsync("/v1/routing"))["models"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == "large")!["endpoint"]!.GetValue<string>());

        // An empty key removes it.
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync("/v1/routing/models/large", Edit(keyed.BaseUrl, apiKey: "")), HttpStatusCode.OK);
        model = (await t.GetAsync("/v1/routing"))["models"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == "large")!;
        Assert.False(model["hasApiKey"]!.GetValue<bool>());
    }

    [Fact(DisplayName = "A tenant with a bad key on a shared endpoint opens only its own circuit: the other tenant's turns still reach the model, and its health view shows none of the first tenant's figures")]
    public async Task Bad_key_of_one_tenant_does_not_open_the_shared_circuit()
    {
        await using var keyed = await TestModelServer.StartAsync(new TestModelOptions
        {
            ApiKey = "good-key",
            Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2) },
        });
        var shared = "shared-" + Guid.NewGuid().ToString("n")[..8];
        using var a = await fx.NewTenantAsync();
        using var b = await fx.NewTenantAsync();
        await a.PutModelAsync("large", "large", 5m, shared, keyed.BaseUrl, apiKey: "bad-key");
        await b.PutModelAsync("large", "large", 5m, shared, keyed.BaseUrl, apiKey: "good-key");
        await a.SetPolicyAsync(RoutingPolicies.LargeFirst);
        await b.SetPolicyAsync(RoutingPolicies.LargeFirst);

        // Tenant A keeps failing with 401s, and keeps trying across the break (a probe per break is all it gets).
        // (Its answers come from the small model, or from the extractive responder when a cold start outlasts a timeout.)
        for (var i = 0; i < 6; i++)
            Assert.NotEqual("large", (await a.AskAsync($"Explain the trade-offs of plan {i} in detail")).Done()["model"]!.GetValue<string>());
        var aHealth = await a.HealthEntryAsync("large");
        Assert.NotEqual("closed", aHealth["circuit"]!.GetValue<string>()); // open, or half-open when the turns outlasted the break
        Assert.True(aHealth["health"]!["timesOpened"]!.GetValue<int>() >= 1, aHealth.ToJsonString());
        Assert.Equal("Unauthorized", aHealth["health"]!["lastFailureKind"]!.GetValue<string>());
        Assert.True(aHealth["health"]!["failures"]!.GetValue<int>() >= 3, aHealth.ToJsonString());
        Assert.Equal("closed", aHealth["shared"]!["circuit"]!.GetValue<string>());

        // Tenant B's healthy turns on the same endpoint and model still go to it.
        for (var i = 0; i < 3; i++)
        {
            var done = (await b.AskAsync($"Explain the trade-offs of option {i} in detail")).Done();
            Assert.Equal("large", done["model"]!.GetValue<string>());
            Assert.DoesNotContain("circuit open", done["route"]!.GetValue<string>());
        }

        // B sees its own three calls and the shared state, nothing of A's failures.
        var bHealth = await b.HealthEntryAsync("large");
        Assert.Equal("closed", bHealth["circuit"]!.GetValue<string>());
        Assert.Equal(3, bHealth["health"]!["calls"]!.GetValue<int>());
        Assert.Equal(0, bHealth["health"]!["failures"]!.GetValue<int>());
        Assert.Null(bHealth["health"]!["lastFailureKind"]);
        Assert.Equal("closed", bHealth["shared"]!["circuit"]!.GetValue<string>());
        Assert.Null(bHealth["shared"]!["calls"]);
        Assert.Null(bHealth["shared"]!["failures"]);

        // Repeating it after the break changes nothing for B.
        await Task.Delay(RoutingPlatform.BreakDuration + TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < 3; i++) await a.AskAsync($"Explain the trade-offs of plan {i} once more");
        Assert.Equal("large", (await b.AskAsync("Explain the trade-offs of the final option")).Done()["model"]!.GetValue<string>());
    }

    [Fact(DisplayName = "The shared circuit opens only once calls of two distinct tenants failed at the endpoint (one tenant's many keys count once), and holds back a tenant only after its own call failed too")]
    public async Task Shared_circuit_needs_two_failing_credentials()
    {
        var shared = "outage-" + Guid.NewGuid().ToString("n")[..8];
        using var a = await fx.NewTenantAsync();
        using var b = await fx.NewTenantAsync();
        using var c = await fx.NewTenantAsync();
        await a.PutModelAsync("large", "large", 5m, shared, apiKey: "key-a");
        await b.PutModelAsync("large", "large", 5m, shared, apiKey: "key-b");
        await c.PutModelAsync("large", "large", 5m, shared, apiKey: "key-c");
        foreach (var t in new[] { a, b, c }) await t.SetPolicyAsync(RoutingPolicies.LargeFirst);
        fx.Model.Control.SetFault(shared, FaultRule.Status(500));
        try
        {
            // One credential's outage: its own circuit opens, the shared one does not.
            for (var i = 0; i < 4; i++)
                Assert.NotEqual("large", (await a.AskAsync($"Explain the trade-offs of plan {i} in detail")).Done()["model"]!.GetValue<string>());
            Assert.True((await a.HealthAsync("large"))["timesOpened"]!.GetValue<int>() >= 1);
            // The same tenant with another key of its own is still one tenant: a tenant cannot open the endpoint for others.
            await a.PutModelAsync("large", "large", 5m, shared, apiKey: "key-a2");
            for (var i = 0; i < 4; i++)
                Assert.NotEqual("large", (await a.AskAsync($"Explain the trade-offs of option {i} in detail")).Done()["model"]!.GetValue<string>());
            var before = await b.HealthEntryAsync("large");
            Assert.Equal("closed", before["shared"]!["circuit"]!.GetValue<string>());
            Assert.Equal("closed", before["circuit"]!.GetValue<string>());

            // A second tenant fails at the same endpoint: the endpoint's shared circuit opens. B, whose own calls there have
            // not failed, is not shown it: other tenants' outages (at an endpoint any admin may register) are theirs.
            Assert.NotEqual("large", (await c.AskAsync("Explain the trade-offs of the outage plan")).Done()["model"]!.GetValue<string>());
            Assert.NotEqual("closed", (await c.HealthEntryAsync("large"))["shared"]!["circuit"]!.GetValue<string>());
            var unaffected = (await b.HealthEntryAsync("large"))["shared"]!;
            Assert.Equal("closed", unaffected["circuit"]!.GetValue<string>());
            Assert.Null(unaffected["breakUntil"]);

            // The endpoint works for B (the failures were A's and C's own: a prompt of theirs can make a provider fail):
            // B's model is not taken away by other tenants' failures while its own calls succeed.
            fx.Model.Control.ClearFault(shared);
            Assert.Equal("large", (await b.AskAsync("Explain the trade-offs of the working plan")).Done()["model"]!.GetValue<string>());
            Assert.Equal("closed", (await b.HealthEntryAsync("large"))["circuit"]!.GetValue<string>());

            // In a real outage B pays one failed call (answered by the fallback); then the shared break spares it the rest.
            fx.Model.Control.SetFault(shared, FaultRule.Status(500));
            Assert.NotEqual("large", (await b.AskAsync("Explain the trade-offs of the backup plan")).Done()["model"]!.GetValue<string>());
            var done = (await b.AskAsync("Explain the trade-offs of the last plan")).Done();
            Assert.NotEqual("large", done["model"]!.GetValue<string>());
            // (On a slow machine B's turn may come after the break and be the endpoint's probe, which fails and reopens it.)
            var route = done["route"]!.GetValue<string>();
            Assert.True(route.Contains("large skipped: circuit open", StringComparison.Ordinal) || route.Contains("probe", StringComparison.Ordinal), route);
            var after = await b.HealthEntryAsync("large");
            Assert.NotEqual("closed", after["shared"]!["circuit"]!.GetValue<string>());
            Assert.NotEqual("closed", after["circuit"]!.GetValue<string>());
            Assert.True(after["health"]!["calls"]!.GetValue<int>() <= 3, after.ToJsonString()); // B's own calls only: nobody else's
        }
        finally
        {
            fx.Model.Control.ClearFault(shared);
        }
    }
}
