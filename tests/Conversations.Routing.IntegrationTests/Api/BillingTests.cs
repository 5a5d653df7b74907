namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>
/// Every model call is billed once, through the real API against the test model server: the ledger (usage rows and
/// the budget) matches the tokens the server reports for each call, abandoned and cut-off ones included.
/// </summary>
public sealed class BillingTests(RoutingPlatform fx) : RoutingPlatformTests
{
    // Every word one o200k token, so the tokens the platform counts for a cut stream can be compared with the server's.
    private const string Words = "Here is the first part of a long answer about the plan and what it means for you and your team this year";

    private static object Policy(string[] fallbacks, decimal budget = 100m) => new
    {
        smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, fallbackModelIds = fallbacks,
        exactCache = false, semanticCache = false, hardCodedReplies = false, monthlyBudgetUsd = budget, atBudgetLimit = "refuse",
    };

    // The model streams Words at test speed, then goes silent after afterTokens tokens, as a stalled provider does.
    private void StallAfter(string model, int afterTokens) => fx.Model.Control.SetModel(model, new ModelBehavior
    {
        TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2),
        ScriptedAnswer = Words, Fault = FaultRule.Stall(afterTokens: afterTokens, hold: TimeSpan.FromSeconds(10)),
    });

    [Fact(DisplayName = "A client that drops the connection mid-answer no longer stops the turn: the answer is stored complete and the ledger matches the server's tokens for the whole answer")]
    public async Task Abandoned_answer_is_billed()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(Policy(["small"]));
        var since = await WarmUpAsync(t);
        var large = t.ServerName("large");
        fx.Model.Control.SetModel(large, new ModelBehavior
        {
            TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(40),
            ScriptedAnswer = string.Join(' ', Enumerable.Repeat(Words, 4)),
        });
        try
        {
            var id = await t.User.CreateConversationAsync();
            var seen = await SendAndDropAsync(t.User, id, "Explain the plan for the team in detail", deltas: 6);
            Assert.True(seen >= 6);

            // The turn runs to its end after the client left: the provider reports the whole call's usage.
            var row = await LedgerRowAsync(t, "large", r => r["turns"]!.GetValue<long>() == 1);
            var call = await ServerCallAsync(large, since);
            Assert.Equal(0, row["estimatedCalls"]!.GetValue<long>());
            Assert.Equal("turn", row["kind"]!.GetValue<string>());
            Assert.Equal(call.CompletionTokens, row["completionTokens"]!.GetValue<long>());
            Assert.Equal(call.PromptTokens, row["promptTokens"]!.GetValue<long>());
            var cost = row["costUsd"]!.GetValue<decimal>();
            Assert.True(cost > 0);

            Assert.Equal(cost, await SpentSinceAsync(t, since));
            Assert.Equal(0m, (await t.GetAsync("/v1/routing/budget"))["reservedUsd"]!.GetValue<decimal>());
            var last = (await t.User.GetConversationAsync(id))["messages"]!.AsArray()[^1]!;
            Assert.Equal("complete", last["status"]!.GetValue<string>());
            Assert.Equal(string.Join(' ', Enumerable.Repeat(Words, 4)), last["content"]!.GetValue<string>());
        }
        finally
        {
            fx.Model.Control.RemoveModel(large);
        }
    }

    [Theory(DisplayName = "A conversation, or its user, erased while the answer streams: the call is still billed (its row anonymised as the erasure's others) and the budget's reservation is released")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Erased_mid_answer_is_billed(bool eraseUser)
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(Policy(["small"]));
        var since = await WarmUpAsync(t);
        var large = t.ServerName("large");
        fx.Model.Control.SetModel(large, new ModelBehavior
        {
            TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(40),
            ScriptedAnswer = string.Join(' ', Enumerable.Repeat(Words, 4)),
        });
        try
        {
            var id = await t.User.CreateConversationAsync();
            await SendAndDropAsync(t.User, id, "Explain the plan for the team in detail", deltas: 6);
            var erase = eraseUser ? $"/v1/users/alice" : null;
            var deleted = erase is null ? await t.User.Http.DeleteAsync($"/v1/conversations/{id}") : await t.Admin.Http.DeleteAsync(erase);
            Assert.Equal(System.Net.HttpStatusCode.NoContent, deleted.StatusCode);

            var call = await ServerCallAsync(large, since);
            JsonNode? row = null;
            for (var i = 0; i < 100 && row is null; i++)
            {
                if (i > 0) await Task.Delay(100);
                row = (await t.GetAsync("/v1/usage"))["rows"]!.AsArray()
                    .FirstOrDefault(r => r!["model"]!.GetValue<string>() == "large" && r["kind"]!.GetValue<string>() == "turn"
                        && r["userId"]!.GetValue<string>() != "bob"); // not the warm-up's
            }
            Assert.True(row is not null, $"the call was not billed: {(await t.GetAsync("/v1/usage")).ToJsonString()}");
            Assert.Equal(eraseUser ? "(deleted)" : "alice", row["userId"]!.GetValue<string>());
            // The erasure stopped the call, so its tokens are the platform's count.
            Assert.Equal(1, row["estimatedCalls"]!.GetValue<long>());
            AssertClose(call.PromptTokens, row["promptTokens"]!.GetValue<long>(), Math.Max(8, call.PromptTokens / 50), "prompt tokens");
            Assert.True(row["completionTokens"]!.GetValue<long>() > 0);
            Assert.Equal(row["costUsd"]!.GetValue<decimal>(), await SpentSinceAsync(t, since));
            Assert.Equal(0m, (await t.GetAsync("/v1/routing/budget"))["reservedUsd"]!.GetValue<decimal>());
        }
        finally
        {
            fx.Model.Control.RemoveModel(large);
        }
    }

    [Fact(DisplayName = "A mid-stream fault on the first model and a continuation by the second: both calls are billed, each at its own model's price, the reported one exactly")]
    public async Task Continued_answer_bills_both_calls()
    {
        using var t = await fx.NewTenantAsync(smallPrice: 1m, largePrice: 5m);
        await t.SetPolicyAsync(Policy(["small"]));
        var since = await WarmUpAsync(t);
        var large = t.ServerName("large");
        var small = t.ServerName("small");
        StallAfter(large, afterTokens: 8);
        try
        {
            var events = await t.AskAsync("Compare the two pension plans and recommend one");
            var done = events.Done();
            Assert.True(done["continued"]!.GetValue<bool>(), events.Dump());
            Assert.True(done["model"]!.GetValue<string>() == "small", events.Dump());

            var cut = await LedgerRowAsync(t, "large", _ => true);
            var finished = await LedgerRowAsync(t, "small", _ => true);
            var cutCall = await ServerCallAsync(large, since);
            var finishedCall = await ServerCallAsync(small, since);
            // The cut call reported no usage: counted with the tokenizer, close to what the server sent.
            Assert.Equal(1, cut["estimatedCalls"]!.GetValue<long>());
            AssertClose(cutCall.CompletionTokens, cut["completionTokens"]!.GetValue<long>(), 1, "cut completion tokens");
            AssertClose(cutCall.PromptTokens, cut["promptTokens"]!.GetValue<long>(), Math.Max(8, cutCall.PromptTokens / 50), "cut prompt tokens");
            // The continuation reported its usage in the final chunk: the ledger holds exactly that.
            Assert.Equal(0, finished["estimatedCalls"]!.GetValue<long>());
            Assert.Equal(finishedCall.PromptTokens, finished["promptTokens"]!.GetValue<long>());
            Assert.Equal(finishedCall.CachedTokens, finished["cachedTokens"]!.GetValue<long>());
            Assert.Equal(finishedCall.CompletionTokens, finished["completionTokens"]!.GetValue<long>());
            // One turn, two calls, each priced at its own model (input, cached input at a quarter, output at four times).
            Assert.Equal(1, cut["turns"]!.GetValue<long>() + finished["turns"]!.GetValue<long>());
            Assert.Equal(Price(5m, cut), cut["costUsd"]!.GetValue<decimal>());
            Assert.Equal(Price(1m, finished), finished["costUsd"]!.GetValue<decimal>());
            var total = cut["costUsd"]!.GetValue<decimal>() + finished["costUsd"]!.GetValue<decimal>();
            Assert.Equal(total, done["usage"]!["costUsd"]!.GetValue<decimal>());
            Assert.Equal(total, await SpentSinceAsync(t, since));
            Assert.Equal(cut["completionTokens"]!.GetValue<long>() + finished["completionTokens"]!.GetValue<long>(),
                done["usage"]!["completionTokens"]!.GetValue<long>());
        }
        finally
        {
            fx.Model.Control.RemoveModel(large);
        }
    }

    [Fact(DisplayName = "A summary fold is reported as a summary in /v1/usage, not as a turn")]
    public async Task Summaries_are_not_turns()
    {
        using var t = await fx.NewTenantAsync(smallPrice: 1m, largePrice: 10m);
        await t.Admin.PatchSettingsAsync(new { contextBudgetTokens = 2000, summaryThresholdTokens = 400, maxOutputTokens = 200 });
        await t.Admin.RaiseRateLimitsAsync();
        await t.SetPolicyAsync(Policy(["small"]));
        var since = await WarmUpAsync(t);

        var id = await t.User.CreateConversationAsync();
        const int turns = 14;
        var sent = 0;
        for (var i = 0; i < turns; i++)
            sent += (await t.AskLargeAsync(id, $"Turn {i}: explain step {i} of the warehouse migration plan in detail.")).Turns;

        var summary = await LedgerRowAsync(t, "small", r => r["kind"]!.GetValue<string>() == "summary");
        Assert.True(summary["summaries"]!.GetValue<long>() >= 1);
        Assert.Equal(0, summary["turns"]!.GetValue<long>());
        Assert.True(summary["costUsd"]!.GetValue<decimal>() > 0);
        var totals = (await t.GetAsync("/v1/usage?userId=alice"))["totals"]!;
        Assert.Equal(sent, totals["turns"]!.GetValue<long>());
        Assert.Equal(summary["summaries"]!.GetValue<long>(), totals["summaries"]!.GetValue<long>());
        Assert.Equal(await SpentSinceAsync(t, since), totals["costUsd"]!.GetValue<decimal>());
    }

    [Fact(DisplayName = "With small and large models priced the same, routing saves nothing, while the provider's cached tokens are reported as their own saving")]
    public async Task Routing_saving_is_not_the_cached_saving()
    {
        using var t = await fx.NewTenantAsync(smallPrice: 2m, largePrice: 2m);
        // A prefix past the provider's 1,024-token caching minimum, so later turns of the conversation hit its cache.
        await t.Admin.PatchSettingsAsync(new { instructions = string.Join("\n", Enumerable.Range(0, 60).Select(i => $"Rule {i}: answer politely, cite the handbook and keep the tone friendly.")) });
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, exactCache = false, semanticCache = false, hardCodedReplies = false });
        await WarmUpAsync(t);
        var id = await t.User.CreateConversationAsync();
        for (var i = 0; i < 3; i++)
            await t.AskLargeAsync(id, $"Question {i}: what does the handbook say about travel?");

        var totals = (await t.GetAsync("/v1/usage?userId=alice"))["totals"]!;
        for (var i = 0; i < 50 && totals["cachedTokenSavingsUsd"]!.GetValue<decimal>() == 0; i++)
        {
            await Task.Delay(100); // the routing details are written in the background
            totals = (await t.GetAsync("/v1/usage?userId=alice"))["totals"]!;
        }
        Assert.True(totals["cachedTokens"]!.GetValue<long>() > 0, totals.ToJsonString());
        Assert.True(totals["cachedTokenSavingsUsd"]!.GetValue<decimal>() > 0, totals.ToJsonString());
        Assert.Equal(0m, totals["routingSavingsUsd"]!.GetValue<decimal>());
    }

    [Fact(DisplayName = "A budget smaller than one answer's worst case says so, is not retryable, and does not mark the month's budget as spent")]
    public async Task Budget_too_small_says_what_happened()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(Policy(["small"], budget: 0.000001m));
        var events = await t.AskAsync("What does the handbook say about travel?");
        var error = events[^1];
        Assert.Equal("error", error.Name);
        Assert.Equal("budget_too_small", error.Data["code"]!.GetValue<string>());
        Assert.False(error.Data["retryable"]!.GetValue<bool>());
        var message = error.Data["message"]!.GetValue<string>();
        Assert.Contains("smaller than one answer can cost", message);
        Assert.DoesNotContain("has used", message);

        var budget = await t.GetAsync("/v1/routing/budget");
        Assert.False(budget["exhausted"]!.GetValue<bool>());
        Assert.Equal(0m, budget["spentUsd"]!.GetValue<decimal>());
        Assert.Empty(budget["alerts"]!.AsArray());
        Assert.DoesNotContain(fx.Model.Requests, r => r.Model == t.ServerName("large") || r.Model == t.ServerName("small"));
    }

    [Fact(DisplayName = "A cut answer with only the extractive responder left ends honestly: a notice, stored as incomplete, billed for the model's words only, and the next prompt carries it")]
    public async Task Cut_answer_is_not_spliced_with_the_extractive_reply()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(Policy(["small"]));
        var since = await WarmUpAsync(t);
        var large = t.ServerName("large");
        var small = t.ServerName("small");
        StallAfter(large, afterTokens: 5);
        fx.Model.Control.FailAlways(small, 503); // the backup cannot continue: only the extractive responder is left
        string shown;
        string id;
        try
        {
            id = await t.User.CreateConversationAsync();
            var events = await t.User.SendAsync(id, "Compare the two pension plans and recommend one");
            var end = events[^1];
            Assert.True(end.Name == "error", events.Dump() + "\n" + string.Join("\n", fx.Model.Requests.Where(r => r.Model == large || r.Model == small)
                .Select(r => $"{r.Model} {r.ReceivedAt:HH:mm:ss.fff} fault={r.Fault} status={r.StatusCode} completion={r.CompletionTokens} done={r.Completed}")));
            Assert.True(end.Data["retryable"]!.GetValue<bool>(), events.Dump());
            Assert.DoesNotContain(events, e => e.Name == "done");
            shown = events.AnswerText();
            Assert.StartsWith("Here is the first part", shown);
            Assert.Contains("[This answer is incomplete", shown);
            Assert.DoesNotContain("without a language model", shown);

            var last = (await t.User.GetConversationAsync(id))["messages"]!.AsArray()[^1]!;
            Assert.Equal("incomplete", last["status"]!.GetValue<string>());
            Assert.Equal(shown, last["content"]!.GetValue<string>());
            Assert.True(last["model"]!.GetValue<string>() == "large", $"{last.ToJsonString()}\n{events.Dump()}");

            var row = await LedgerRowAsync(t, "large", _ => true);
            Assert.Equal(1, row["estimatedCalls"]!.GetValue<long>());
            AssertClose((await ServerCallAsync(large, since)).CompletionTokens, row["completionTokens"]!.GetValue<long>(), 1, "cut completion tokens");
            var report = await t.GetAsync("/v1/usage?userId=alice");
            Assert.DoesNotContain(report["rows"]!.AsArray(), r => r!["model"]!.GetValue<string>() == "extractive");
            Assert.Equal(row["costUsd"]!.GetValue<decimal>(), await SpentSinceAsync(t, since));
        }
        finally
        {
            fx.Model.Control.RemoveModel(large);
            fx.Model.Control.RemoveModel(small);
        }

        // The next turn's prompt holds the incomplete answer as the assistant's previous message.
        Assert.Equal("done", (await t.User.SendAsync(id, "Please go on with the comparison"))[^1].Name);
        var next = fx.Model.Requests.Last(r => r.Model == large);
        Assert.Contains(next.Messages, m => m.Role == "assistant" && m.Content.StartsWith("Here is the first part", StringComparison.Ordinal));
    }

    // One ordinary turn by another user first, so a cold client (first connection, first compilation on a busy machine)
    // cannot time out the call a test is about. The test then reads alice's usage, the budget's growth since, and the
    // server's calls since.
    private async Task<Baseline> WarmUpAsync(TestTenant t)
    {
        using var bob = fx.As(await t.Admin.CreateUserWithKeyAsync("bob"));
        await t.AskAsync("Warm up: say hello", bob);
        var spent = (await t.GetAsync("/v1/routing/budget"))["spentUsd"]!.GetValue<decimal>();
        return new Baseline(spent, fx.Model.Requests.Select(r => r.Sequence).DefaultIfEmpty(0).Max());
    }

    // The budget's spend and the test server's last request before a test's own turns.
    private sealed record Baseline(decimal SpentUsd, long LastRequest);

    // What the budget spent since the baseline.
    private static async Task<decimal> SpentSinceAsync(TestTenant t, Baseline since) =>
        (await t.GetAsync("/v1/routing/budget"))["spentUsd"]!.GetValue<decimal>() - since.SpentUsd;

    // Sends a message, reads the stream until it holds the given number of deltas, then drops the connection.
    private static async Task<int> SendAndDropAsync(ApiClient client, string conversationId, string text, int deltas)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{conversationId}/messages") { Content = JsonContent.Create(new { text }) };
        using var res = await client.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        await ApiClient.EnsureAsync(res, System.Net.HttpStatusCode.OK);
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(), Encoding.UTF8);
        var seen = 0;
        while (seen < deltas && await reader.ReadLineAsync() is { } line)
        {
            if (line == "event: delta") seen++;
            Assert.False(line is "event: done" or "event: error", "the answer ended before the client left");
        }
        return seen; // disposing the response mid-stream closes the connection
    }

    // Alice's usage report row for a catalog model once it matches, polling while the turn's bookkeeping lands.
    private static async Task<JsonNode> LedgerRowAsync(TestTenant t, string model, Func<JsonNode, bool> ready)
    {
        JsonNode? row = null;
        for (var i = 0; i < 100 && row is null; i++)
        {
            if (i > 0) await Task.Delay(100);
            row = (await t.GetAsync("/v1/usage?userId=alice"))["rows"]!.AsArray()
                .FirstOrDefault(r => r!["model"]!.GetValue<string>() == model && ready(r));
        }
        Assert.True(row is not null, $"no usage row for {model}: {(await t.GetAsync("/v1/usage?userId=alice")).ToJsonString()}");
        return row!;
    }

    // The one call the test server received for a model name since the baseline, once the server has finished with it.
    private async Task<RecordedRequest> ServerCallAsync(string serverName, Baseline since)
    {
        for (var i = 0; i < 100; i++)
        {
            var calls = fx.Model.Requests.Where(r => r.Model == serverName && r.Sequence > since.LastRequest).ToList();
            if (calls.Count > 0 && calls.All(c => c.Completed)) return Assert.Single(calls);
            await Task.Delay(100);
        }
        throw new TimeoutException($"the test server never finished its call to {serverName}");
    }

    // The test tenant's price list: input at the price, cached input at a quarter, output at four times, per million.
    private static decimal Price(decimal price, JsonNode row)
    {
        var prompt = row["promptTokens"]!.GetValue<long>();
        var cached = row["cachedTokens"]!.GetValue<long>();
        var completion = row["completionTokens"]!.GetValue<long>();
        // The ledger keeps eight decimals.
        return decimal.Round(((prompt - cached) * price + cached * (price / 4) + completion * price * 4) / 1_000_000m, 8, MidpointRounding.AwayFromZero);
    }

    private static void AssertClose(long expected, long actual, long tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: ledger {actual}, server {expected} (tolerance {tolerance})");
}
