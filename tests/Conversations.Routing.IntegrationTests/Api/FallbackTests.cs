namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Outages, stalls and the circuit breaker, through the real API against the test model server.</summary>
public sealed class FallbackTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "Breaker: three failed calls open the large model's circuit, users keep getting the small model's answers, and after the break one probe closes it again")]
    public async Task Breaker_opens_and_half_opens()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(RoutingPolicies.LargeFirst);
        var large = t.ServerName("large");
        fx.Model.Control.SetFault(large, FaultRule.Status(500));
        try
        {
            var turns = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < 6; i++)
            {
                var done = (await t.AskAsync($"Explain the trade-offs of plan {i} in detail")).Done();
                Assert.Equal("small", done["model"]!.GetValue<string>());
            }
            var circuit = (await t.HealthAsync("large"))["circuit"]!.GetValue<string>();
            var largeCalls = fx.Model.Requests.Count(r => r.Model == large);
            if (turns.Elapsed < RoutingPlatform.BreakDuration)
            {
                // Three failures tripped it; the three turns after it skipped the large model without calling it.
                Assert.Equal(("open", 3), (circuit, largeCalls));
            }
            else
            {
                // A loaded machine took longer than the break for the six turns: the break may have ended before the last
                // ones (half-open, or one probe that failed against the still-failing model), but it never closed.
                Assert.Contains(circuit, new[] { "open", "half-open" });
                Assert.InRange(largeCalls, 3, 4);
            }
        }
        finally
        {
            fx.Model.Control.ClearFault(large);
        }

        await Task.Delay(RoutingPlatform.BreakDuration + TimeSpan.FromMilliseconds(300));
        var probe = (await t.AskAsync("Explain the trade-offs of the recovery plan")).Done();
        Assert.Equal("large", probe["model"]!.GetValue<string>());
        Assert.Contains("probe", probe["route"]!.GetValue<string>());
        Assert.Equal("closed", (await t.HealthAsync("large"))["circuit"]!.GetValue<string>());
        Assert.Equal("large", (await t.AskAsync("Explain the trade-offs once more")).Done()["model"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Outage of every model: each turn still completes, answered by the extractive responder")]
    public async Task Total_outage_falls_back_to_extractive()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(RoutingPolicies.LargeFirst);
        fx.Model.Control.SetFault(t.ServerName("large"), FaultRule.Status(503));
        fx.Model.Control.SetFault(t.ServerName("small"), FaultRule.Status(500));
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var events = await t.AskAsync($"What does policy {i} say about travel?");
                Assert.Equal("extractive", events.Done()["model"]!.GetValue<string>());
                Assert.NotEmpty(events.AnswerText());
            }
        }
        finally
        {
            fx.Model.Control.ClearFault(t.ServerName("large"));
            fx.Model.Control.ClearFault(t.ServerName("small"));
        }
    }

    [Fact(DisplayName = "A stall mid-answer is continued by the backup model: one answer, marked continued, holding the first model's words")]
    public async Task Stall_is_continued_by_backup()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(RoutingPolicies.LargeFirst);
        var large = t.ServerName("large");
        fx.Model.Control.SetFault(large, FaultRule.Stall(afterTokens: 4, hold: TimeSpan.FromSeconds(10)));
        try
        {
            var events = await t.AskAsync("Compare the two pension plans and recommend one");
            var done = events.Done();
            Assert.True(done["continued"]!.GetValue<bool>(), events.Dump());
            Assert.Equal("small", done["model"]!.GetValue<string>());
            var text = events.AnswerText();
            Assert.StartsWith(large, text); // the test model's answers start with its own name
            Assert.Contains(t.ServerName("small"), text);
            Assert.Single(events, e => e.Name == "done");
            Assert.DoesNotContain(events, e => e.Name == "error");
        }
        finally
        {
            fx.Model.Control.ClearFault(large);
        }
    }

    [Fact(DisplayName = "A model whose endpoint refuses the connection is reported as unreachable (lastFailureKind Connection), not as a server error, with its error rate")]
    public async Task An_unreachable_model_is_reported_as_a_connection_failure()
    {
        using var t = await fx.NewTenantAsync();
        // A port nobody listens on: the connection is refused before any answer.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await t.PutModelAsync("dead", "small", 1m, endpoint: $"http://127.0.0.1:{port}/v1");
        await t.SetPolicyAsync(new
        {
            smallModelId = "dead", largeModelId = "dead", complexityThreshold = 1.0, fallbackModelIds = new[] { "small" },
            exactCache = false, semanticCache = false, hardCodedReplies = false,
        });
        // Whatever answers in its place (the fallback, or the extractive answer on a loaded host), the dead model's call failed.
        await t.AskAsync("What is the travel policy for the team?");

        var health = await t.HealthAsync("dead");
        for (var i = 0; i < 30 && health["lastFailureKind"] is null; i++, await Task.Delay(100)) health = await t.HealthAsync("dead");
        Assert.Equal("Connection", health["lastFailureKind"]?.GetValue<string>());
        Assert.Equal(1, health["failures"]!.GetValue<int>());
        Assert.Equal(1.0, health["errorRate"]!.GetValue<double>());
    }

    [Fact(DisplayName = "A tenant model registered at the platform's own OpenAI-compatible route is refused there (model_loop): the fallback answers, and no turn fans out")]
    public async Task A_model_at_the_platforms_own_route_is_refused()
    {
        using var t = await fx.NewTenantAsync();
        var loopKey = await t.Admin.CreateUserWithKeyAsync("looper");
        await t.PutModelAsync("self", "small", 1m, serverName: "auto", endpoint: fx.BaseUrl.TrimEnd('/') + "/v1", apiKey: loopKey);
        await t.SetPolicyAsync(new
        {
            smallModelId = "self", largeModelId = "self", complexityThreshold = 1.0, fallbackModelIds = new[] { "small" },
            exactCache = false, semanticCache = false, hardCodedReplies = false,
        });
        var events = await t.AskAsync("What is the travel policy for the team?");
        Assert.True(events[^1].Name == "done", events.Dump());
        Assert.Equal("small", events[^1].Data["model"]!.GetValue<string>());
        // The platform's own route answered the call (an HTTP refusal, not an unreachable endpoint)...
        string? kind = null;
        for (var i = 0; i < 30 && kind is null; i++, await Task.Delay(100))
            kind = (await t.HealthAsync("self"))["lastFailureKind"]?.GetValue<string>();
        Assert.NotNull(kind);
        Assert.NotEqual("Connection", kind);
        // ...and refused it before it made a conversation for the key it carried.
        using var looper = fx.As(loopKey);
        Assert.Empty((await looper.GetJsonAsync("/v1/conversations"))["conversations"]!.AsArray());
    }
}
