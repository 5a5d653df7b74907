namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Offline batch items pass the stages a chat turn passes: limits, input and output moderation, events, usage.</summary>
public sealed class BatchModerationTests(RoutingPlatform fx) : RoutingPlatformTests
{
    private const string Card = "4111 1111 1111 1111";
    private const string Email = "bob@example.com";
    private const string Password = "hunter22";
    private const string AnswerEmail = "carol@example.com";
    private const string AnswerKey = "sk-abcdefghijklmnopqrstuvwx12";
    private const string CancelledBefore = "Cancelled before it was answered.";
    private const string CancelledWhile = "Cancelled while it was being answered.";

    [Fact(DisplayName = "A batch is moderated like chat: a blocked prompt fails unsent, masked text reaches the model and the store, answers are masked or withheld, and events are recorded")]
    public async Task Batch_items_are_moderated_like_chat_turns()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        await PutLexiconAsync(t, "projects", "zorblax", "block");
        await PutLexiconAsync(t, "codenames", "bluebird", "mask");
        fx.Model.Control.SetModel(t.ServerName("small"), fx.Model.Control.Default with
        {
            AnswerFactory = ctx => ctx.LastUserMessage.Contains("VPN", StringComparison.Ordinal)
                ? $"Write to {AnswerEmail} or use the key {AnswerKey} for access. Ask the bluebird team."
                : ctx.LastUserMessage.Contains("codename", StringComparison.Ordinal)
                    ? "Sure. It is called zorblax internally and here is everything about it in detail."
                    : "Noted, thank you.",
        });
        var personal = $"My card is {Card}, my mail is {Email}, password: {Password}, team bluebird. Summarize my details.";
        string[] prompts = ["What is project zorblax about?", personal, "Who do I contact for the VPN?", "What is the codename of the launch?"];

        var jobId = await SubmitAsync(t, prompts);
        var view = await WaitForCompletionAsync(t, jobId);
        Assert.Equal((2, 2), (view["succeeded"]!.GetValue<int>(), view["failed"]!.GetValue<int>()));
        // A finished job drops the reminder that would resume it after a restart.
        await using (var db = NpgsqlDataSource.Create(fx.Database.ConnectionString))
        {
            long reminders = -1;
            for (var i = 0; i < 50 && reminders != 0; i++, await Task.Delay(100))
            {
                await using var count = db.CreateCommand("SELECT count(*) FROM orleans_reminder WHERE grain_id LIKE '%' || @job");
                count.Parameters.AddWithValue("job", jobId);
                reminders = (long)(await count.ExecuteScalarAsync())!;
            }
            Assert.Equal(0, reminders);
        }
        var items = await ResultsAsync(t, jobId);

        // (a) A blocked prompt fails with the refusal, is stored masked, and never reaches the model.
        var refused = items[0]!;
        Assert.Equal("failed", refused["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(refused["error"]?.GetValue<string>()));
        Assert.Null(refused["answer"]);
        Assert.DoesNotContain("zorblax", refused["prompt"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        var sent = fx.Model.Requests.Where(r => r.Model == t.ServerName("small")).ToList();
        Assert.Equal(3, sent.Count);
        Assert.DoesNotContain(sent, r => r.Messages.Any(m => m.Content.Contains("zorblax", StringComparison.OrdinalIgnoreCase)));

        // (b) The model sees the prompt as it would see the same chat question (secrets and mask words masked), and the
        //     stored prompt has every finding masked, as a chat question is stored.
        var batchRequest = sent.Single(r => r.LastUserMessage.Contains("Summarize my details", StringComparison.Ordinal));
        var batchSeen = string.Concat(batchRequest.Messages.Select(m => m.Content));
        Assert.DoesNotContain(Password, batchSeen);
        Assert.DoesNotContain("bluebird", batchSeen);
        Assert.Equal("done", (await t.AskAsync(personal))[^1].Name);
        var chatSeen = string.Concat(fx.Model.Requests
            .Where(r => (r.Model == t.ServerName("small") || r.Model == t.ServerName("large")) && !ReferenceEquals(r, batchRequest)
                && r.LastUserMessage.Contains("Summarize my details", StringComparison.Ordinal))
            .Single().Messages.Select(m => m.Content));
        foreach (var value in new[] { Card, Email, Password, "bluebird" })
            Assert.True(chatSeen.Contains(value, StringComparison.Ordinal) == batchSeen.Contains(value, StringComparison.Ordinal), $"'{value}' differs between chat and batch");
        var storedPrompt = items[1]!["prompt"]!.GetValue<string>();
        foreach (var value in new[] { Card, Email, Password, "bluebird" }) Assert.DoesNotContain(value, storedPrompt);
        Assert.Equal("succeeded", items[1]!["status"]!.GetValue<string>());

        // (c) The answer passes the output guard before it is stored: personal data and keys masked, a blocked word withheld.
        var masked = items[2]!["answer"]!.GetValue<string>();
        Assert.StartsWith("Write to", masked);
        Assert.DoesNotContain(AnswerEmail, masked);
        Assert.DoesNotContain(AnswerKey, masked);
        Assert.DoesNotContain("bluebird", masked);
        var withheld = items[3]!;
        Assert.Equal("failed", withheld["status"]!.GetValue<string>());
        Assert.Contains("withheld", withheld["error"]!.GetValue<string>());
        Assert.DoesNotContain("zorblax", withheld["answer"]?.GetValue<string>() ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("detail", withheld["answer"]?.GetValue<string>() ?? "");
        Assert.True(withheld["completionTokens"]!.GetValue<int>() > 0); // the model ran: the item is billed

        // (d) The admin's moderation events list the batch's refusals and maskings, content masked.
        var events = (await t.GetAsync($"/v1/moderation/events?conversationId=batch:{jobId}"))["events"]!.AsArray();
        string Action(int index, string phase) => events.Single(e => e!["turnId"]!.GetValue<string>() == $"batch:{jobId}:{index}"
            && e["phase"]!.GetValue<string>() == phase)!["action"]!.GetValue<string>();
        Assert.Equal("block", Action(0, "input"));
        Assert.Equal("mask", Action(1, "input"));
        Assert.Equal("mask", Action(2, "output"));
        Assert.Equal("block", Action(3, "output"));
        Assert.All(events, e => Assert.Equal("alice", e!["userId"]!.GetValue<string>()));
        var all = events.ToJsonString();
        foreach (var value in new[] { Card, Email, Password, AnswerEmail, AnswerKey }) Assert.DoesNotContain(value, all);

        // The refused item cost nothing; the withheld one is billed for what the model produced.
        Assert.Equal((0, 0m), (refused["promptTokens"]!.GetValue<int>(), refused["costUsd"]!.GetValue<decimal>()));
        Assert.True(withheld["costUsd"]!.GetValue<decimal>() > 0);
    }

    [Fact(DisplayName = "A batch item reaches the model with the system message a chat turn starts with: the platform's prompt and the tenant's instructions")]
    public async Task Batch_items_carry_the_chat_system_prompt()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        var res = await t.Admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Never name competitors. TENANTRULE-1" });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        const string Question = "Which competitor is best for expense reports?";

        var jobId = await SubmitAsync(t, [Question]);
        await WaitForCompletionAsync(t, jobId);
        var batchSent = fx.Model.Requests.Single(r => r.Model == t.ServerName("small") && r.LastUserMessage.Contains(Question, StringComparison.Ordinal));
        var batchSystem = Assert.Single(batchSent.Messages, m => m.Role == "system").Content;
        Assert.Contains("TENANTRULE-1", batchSystem, StringComparison.Ordinal);
        Assert.Equal(Question, batchSent.LastUserMessage); // batches are not grounded: no sources follow the question

        // The same question in chat starts with the same system message (a call to the small model carries the
        // out-of-depth instruction after it, as a second system message, whichever model the router picks).
        Assert.Equal("done", (await t.AskAsync(Question))[^1].Name);
        var chatSent = fx.Model.Requests.Last(r => r.LastUserMessage.StartsWith(Question, StringComparison.Ordinal) && r != batchSent
            && (r.Model == t.ServerName("small") || r.Model == t.ServerName("large")));
        Assert.Equal(chatSent.Messages.First(m => m.Role == "system").Content, batchSystem);
    }

    [Fact(DisplayName = "A batch submission takes one request, its items' tokens count against the token limits, and other users keep their share")]
    public async Task Batch_items_count_against_tenant_limits()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        var res = await t.Admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { userRequestsPerMinute = 1, userTokensPerMinute = 4000, tenantTokensPerMinute = 4000 });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        // About 1,000 tokens an item (the system message, the prompt and a 200-token answer): the batch may use only the half
        // of the 4,000 tokens a minute that interactive turns do not keep.
        fx.Model.Control.SetModel(t.ServerName("small"), fx.Model.Control.Default with { AnswerTokens = 200, TimePerToken = TimeSpan.FromMilliseconds(1) });

        var jobId = await SubmitAsync(t, Enumerable.Range(0, 8).Select(i => $"Summarize report number {i} please").ToArray());
        JsonNode? view = null;
        for (var i = 0; i < 200 && (view?["succeeded"]?.GetValue<int>() ?? 0) < 2; i++)
        {
            await Task.Delay(100);
            view = await t.User.Http.GetFromJsonAsync<JsonNode>($"/v1/batches/{jobId}");
        }
        Assert.True(view!["succeeded"]!.GetValue<int>() >= 2, view.ToJsonString());
        await Task.Delay(TimeSpan.FromSeconds(3)); // unthrottled, the rest of the batch is done well within this

        view = (await t.User.Http.GetFromJsonAsync<JsonNode>($"/v1/batches/{jobId}"))!;
        Assert.Equal("running", view["status"]!.GetValue<string>());
        Assert.InRange(view["succeeded"]!.GetValue<int>(), 2, 4);
        // Pending prompts are not shown before their input check has stored them masked.
        var items = await ResultsAsync(t, jobId);
        Assert.Contains(items, i => i!["status"]!.GetValue<string>() == "pending");
        Assert.All(items.Where(i => i!["status"]!.GetValue<string>() == "pending"), i => Assert.Null(i!["prompt"]));

        // The submission was a request: the user's limit of one a minute is used up.
        var (status, body) = await t.User.PostAsync("/v1/batches", new { modelId = "small", prompts = new[] { "one more" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(("user", "requests"), (body!["scope"]!.GetValue<string>(), body["limit"]!.GetValue<string>()));
        // Another user's question still gets through: the batch left the interactive share of the tenant's tokens free.
        Assert.Equal("done", (await t.AskAsync("Where is the expense report form?", t.Admin))[^1].Name);
    }

    [Fact(DisplayName = "A batch item whose model call fails for a moment (503s before any output) is sent again and succeeds; the failed calls cost nothing")]
    public async Task Short_outage_is_retried()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        fx.Model.Control.SetModel(t.ServerName("small"), fx.Model.Control.Default with { Fault = FaultRule.Status(503, count: 2) });
        var jobId = await SubmitAsync(t, ["Summarize the travel policy", "Summarize the leave policy"]);
        var view = await WaitForCompletionAsync(t, jobId);
        Assert.Equal((2, 0), (view["succeeded"]!.GetValue<int>(), view["failed"]!.GetValue<int>()));
        Assert.All(await ResultsAsync(t, jobId), i => Assert.False(string.IsNullOrEmpty(i!["answer"]?.GetValue<string>())));
        Assert.Equal(4, fx.Model.Requests.Count(r => r.Model == t.ServerName("small")));
    }

    [Fact(DisplayName = "A running batch is cancelled by its owner: answered items stay, one being answered ends cancelled with its prompt, the rest end cancelled with their prompts, no model call and no cost; another tenant cannot cancel it")]
    public async Task Running_batch_is_cancelled()
    {
        using var t = await fx.NewTenantAsync();
        using var other = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        fx.Model.Control.SetModel(t.ServerName("small"), fx.Model.Control.Default with { TimePerToken = TimeSpan.FromMilliseconds(40) });
        var jobId = await SubmitAsync(t, Enumerable.Range(0, 8).Select(i => $"Summarize report number {i} please").ToArray());
        JsonNode? view = null;
        for (var i = 0; i < 300 && (view?["succeeded"]?.GetValue<int>() ?? 0) < 1; i++)
        {
            await Task.Delay(100);
            view = await t.User.GetJsonAsync($"/v1/batches/{jobId}");
        }
        await ApiClient.ProblemAsync(await other.User.Http.PostAsync($"/v1/batches/{jobId}/cancel", null), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await other.Admin.Http.PostAsync($"/v1/batches/{jobId}/cancel", null), HttpStatusCode.NotFound);

        var (status, cancelled) = await t.User.PostAsync($"/v1/batches/{jobId}/cancel", new { });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", cancelled!["status"]!.GetValue<string>());
        var answered = cancelled["succeeded"]!.GetValue<int>();
        Assert.InRange(answered, 1, 7);
        Assert.Equal(8 - answered, cancelled["failed"]!.GetValue<int>());
        var calls = fx.Model.Requests.Count(r => r.Model == t.ServerName("small"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(calls, fx.Model.Requests.Count(r => r.Model == t.ServerName("small")));
        var items = await ResultsAsync(t, jobId);
        var before = items.Where(i => i!["error"]?.GetValue<string>() == CancelledBefore).ToList();
        var during = items.Where(i => i!["error"]?.GetValue<string>() == CancelledWhile).ToList();
        Assert.Equal(8 - answered, before.Count + during.Count);
        Assert.InRange(during.Count, 0, 1);
        // Never run, never billed, and still shown with the prompt that was not answered.
        Assert.All(before, i => Assert.Equal((0m, "cancelled"), (i!["costUsd"]!.GetValue<decimal>(), i["status"]!.GetValue<string>())));
        Assert.All(before, i => Assert.Equal($"Summarize report number {i!["index"]!.GetValue<int>()} please", i!["prompt"]?.GetValue<string>()));
        Assert.All(during, i => Assert.StartsWith("Summarize report number", i!["prompt"]!.GetValue<string>(), StringComparison.Ordinal));
        // Cancelling again answers the same job.
        Assert.Equal("cancelled", (await t.User.PostAsync($"/v1/batches/{jobId}/cancel", new { })).Body!["status"]!.GetValue<string>());
    }

    [Fact(DisplayName = "While an item waits on a slow model, the job reads running and answers at once, and cancel stops the call: the item ends cancelled while answered, keeps its prompt, costs nothing (no output) and its budget reservation is released")]
    public async Task Status_and_cancel_do_not_wait_for_the_model()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", monthlyBudgetUsd = 100m, atBudgetLimit = "refuse" });
        fx.Model.Control.SetModel(t.ServerName("small"), fx.Model.Control.Default with { TimeToFirstToken = TimeSpan.FromSeconds(60) });
        var jobId = await SubmitAsync(t, ["Summarize report one", "Summarize report two for jane.doe@example.com"]);
        for (var i = 0; i < 300 && !fx.Model.Requests.Any(r => r.Model == t.ServerName("small")); i++) await Task.Delay(100);
        Assert.Contains(fx.Model.Requests, r => r.Model == t.ServerName("small"));

        using (var quick = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
        {
            var status = await t.User.Http.GetFromJsonAsync<JsonNode>($"/v1/batches/{jobId}", quick.Token);
            Assert.Equal("running", status!["status"]!.GetValue<string>()); // its first model call has started
            using var cancel = await t.User.Http.PostAsync($"/v1/batches/{jobId}/cancel", null, quick.Token);
            var cancelled = await cancel.Content.ReadFromJsonAsync<JsonNode>(quick.Token);
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            Assert.Equal(("cancelled", 0, 2), (cancelled!["status"]!.GetValue<string>(), cancelled["succeeded"]!.GetValue<int>(), cancelled["failed"]!.GetValue<int>()));
        }
        var items = await ResultsAsync(t, jobId);
        Assert.Equal((CancelledWhile, "Summarize report one", 0m),
            (items[0]!["error"]!.GetValue<string>(), items[0]!["prompt"]!.GetValue<string>(), items[0]!["costUsd"]!.GetValue<decimal>()));
        Assert.Equal((CancelledBefore, 0m), (items[1]!["error"]!.GetValue<string>(), items[1]!["costUsd"]!.GetValue<decimal>()));
        // The unrun item keeps its prompt, masked as a checked prompt is stored: the address never shows.
        Assert.Equal("cancelled", items[1]!["status"]!.GetValue<string>());
        Assert.StartsWith("Summarize report two for ", items[1]!["prompt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe", items[1]!["prompt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0m, (await t.GetAsync("/v1/routing/budget"))["reservedUsd"]!.GetValue<decimal>());
    }

    [Fact(DisplayName = "A batch cancelled while an item's answer streams bills that call (prompt and output tokens, estimated), settles its reservation, and keeps the item's prompt")]
    public async Task Cancel_while_answering_bills_the_call()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", monthlyBudgetUsd = 100m, atBudgetLimit = "refuse" });
        fx.Model.Control.SetModel(t.ServerName("small"), fx.Model.Control.Default with { AnswerTokens = 400, TimePerToken = TimeSpan.FromMilliseconds(50) });
        string[] prompts = ["Summarize report one in detail", "Summarize report two in detail"];
        var jobId = await SubmitAsync(t, prompts);
        for (var i = 0; i < 300 && !fx.Model.Requests.Any(r => r.Model == t.ServerName("small")); i++) await Task.Delay(100);
        Assert.Equal("running", (await t.User.GetJsonAsync($"/v1/batches/{jobId}"))["status"]!.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(2)); // part of the answer is written, far from all of it

        var (status, cancelled) = await t.User.PostAsync($"/v1/batches/{jobId}/cancel", new { });
        Assert.Equal((HttpStatusCode.OK, "cancelled"), (status, cancelled!["status"]!.GetValue<string>()));
        var items = await ResultsAsync(t, jobId);
        var first = items[0]!;
        Assert.Equal(("failed", CancelledWhile, prompts[0]), (first["status"]!.GetValue<string>(), first["error"]!.GetValue<string>(), first["prompt"]!.GetValue<string>()));
        Assert.True(first["promptTokens"]!.GetValue<int>() > 0 && first["completionTokens"]!.GetValue<int>() > 0, first.ToJsonString());
        var cost = first["costUsd"]!.GetValue<decimal>();
        Assert.True(cost > 0, first.ToJsonString());
        Assert.Equal(cost, cancelled["costUsd"]!.GetValue<decimal>());
        Assert.Equal(CancelledBefore, items[1]!["error"]!.GetValue<string>());

        // The ledger holds the call, marked estimated (the stream ended before the provider's usage), and the budget spent it.
        await using (var db = NpgsqlDataSource.Create(fx.Database.ConnectionString))
        await using (var cmd = db.CreateCommand("SELECT estimated, cost_usd FROM usage_records WHERE tenant_id = $1 AND turn_id = $2"))
        {
            cmd.Parameters.AddWithValue(t.TenantId);
            cmd.Parameters.AddWithValue($"batch:{jobId}:0");
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal((true, cost), (r.GetBoolean(0), r.GetDecimal(1)));
        }
        var budget = await t.GetAsync("/v1/routing/budget");
        Assert.Equal((0m, cost), (budget["reservedUsd"]!.GetValue<decimal>(), budget["spentUsd"]!.GetValue<decimal>()));
    }

    [Fact(DisplayName = "A batch whose budget has no room for its first item waits and says it waits for budget; once the budget is closed a new batch is refused as chat is, and raising the budget lets the waiting job finish")]
    public async Task Closed_budget_refuses_and_waiting_job_says_why()
    {
        using var t = await fx.NewTenantAsync();
        Task BudgetAsync(decimal usd) => t.SetPolicyAsync(new
        {
            smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false,
            monthlyBudgetUsd = usd, atBudgetLimit = "refuse",
        });
        await BudgetAsync(100m);
        // Something spent (asked again should a loaded machine time one answer out).
        var spent = 0m;
        for (var i = 0; i < 3 && spent == 0; i++)
        {
            await t.AskAsync($"What is the travel policy for trip {i}?");
            spent = (await t.GetAsync("/v1/routing/budget"))["spentUsd"]!.GetValue<decimal>();
        }
        Assert.True(spent > 0);

        // Open, but with too little left for any item: the job is accepted, and its first item waits for room and says so.
        await BudgetAsync(spent + 0.000001m);
        var jobId = await SubmitAsync(t, ["Summarize the travel policy"]);
        JsonNode? view = null;
        for (var i = 0; i < 100 && view?["waitingFor"]?.GetValue<string>() != "budget"; i++, await Task.Delay(100))
            view = await t.User.GetJsonAsync($"/v1/batches/{jobId}");
        Assert.Equal(("queued", "budget"), (view!["status"]!.GetValue<string>(), view["waitingFor"]?.GetValue<string>()));

        // A budget that holds one answer's worst case but not on top of what was spent closes at the next question:
        // chat says budget_exhausted, and from then on a new batch gets the same code at once instead of a queue.
        var tooSmall = (await t.AskAsync("What is the leave policy?"))[^1].Data;
        Assert.Equal("budget_too_small", tooSmall["code"]!.GetValue<string>());
        var worst = decimal.Parse(Regex.Match(tooSmall["message"]!.GetValue<string>(), @"\(\$([0-9.]+) at most\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await BudgetAsync(worst + spent / 2);
        Assert.Equal("budget_exhausted", (await t.AskAsync("What is the leave policy?"))[^1].Data["code"]!.GetValue<string>());
        var (status, problem) = await t.User.PostAsync("/v1/batches", new { modelId = "small", prompts = new[] { "Summarize the leave policy" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(("budget_exhausted", false), (problem!["code"]!.GetValue<string>(), problem["retryable"]!.GetValue<bool>()));

        await BudgetAsync(100m);
        view = await WaitForCompletionAsync(t, jobId);
        Assert.Null(view["waitingFor"]);
        Assert.Equal(1, view["succeeded"]!.GetValue<int>());
    }

    [Fact(DisplayName = "Deleting a user deletes their finished batch jobs (also one whose items name no owner, as stored before they did): not found for the admin, nor for a new user given the same id; another user's job stays")]
    public async Task Deleted_users_jobs_are_gone()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        var jobId = await SubmitAsync(t, ["Summarize the travel policy", "Summarize the leave policy"]);
        await WaitForCompletionAsync(t, jobId);
        var olderJobId = await SubmitAsync(t, ["Summarize the expense policy"]);
        await WaitForCompletionAsync(t, olderJobId);
        var (status, bobs) = await t.Admin.PostAsync("/v1/batches", new { modelId = "small", prompts = new[] { "Summarize the admin's notes" } });
        Assert.Equal(HttpStatusCode.Accepted, status);
        var adminJobId = bobs!["jobId"]!.GetValue<string>();
        // Items stored before they named their job's owner: the job's grain still says whose it is.
        await using (var db = NpgsqlDataSource.Create(fx.Database.ConnectionString))
        await using (var cmd = db.CreateCommand("UPDATE routing_batch_items SET user_id = NULL WHERE tenant_id = $1 AND job_id = $2"))
        {
            cmd.Parameters.AddWithValue(t.TenantId);
            cmd.Parameters.AddWithValue(olderJobId);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.Http.GetAsync($"/v1/batches/{jobId}")).StatusCode);
        // The user's own export carries their batch prompts and answers; another user's does not.
        var exported = await t.ExportedAsync("alice", "batch-items.jsonl");
        Assert.Contains("Summarize the leave policy", exported);
        Assert.Contains("Summarize the expense policy", exported);
        Assert.DoesNotContain("admin's notes", exported);
        Assert.DoesNotContain("policy", await t.ExportedAsync("admin", "batch-items.jsonl"));

        await ApiClient.EnsureAsync(await t.Admin.Http.DeleteAsync("/v1/users/alice"), HttpStatusCode.NoContent);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync($"/v1/batches/{jobId}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync($"/v1/batches/{jobId}/results"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync($"/v1/batches/{olderJobId}"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.Http.GetAsync($"/v1/batches/{adminJobId}")).StatusCode);
        // The list has only the admin's job left, and so has the table it is read from.
        Assert.Equal([adminJobId], (await t.Admin.GetJsonAsync("/v1/batches"))["jobs"]!.AsArray().Select(j => j!["jobId"]!.GetValue<string>()));
        Assert.Equal(1L, await BatchListTests.JobRowsAsync(fx, t.TenantId));
        using var newAlice = fx.As(await t.Admin.CreateUserWithKeyAsync("alice"));
        await ApiClient.ProblemAsync(await newAlice.Http.GetAsync($"/v1/batches/{jobId}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await newAlice.Http.GetAsync($"/v1/batches/{jobId}/results"), HttpStatusCode.NotFound);
        Assert.Empty((await newAlice.GetJsonAsync("/v1/batches"))["jobs"]!.AsArray());
    }

    private static async Task PutLexiconAsync(TestTenant t, string name, string word, string action)
    {
        var res = await t.Admin.Http.PutAsJsonAsync($"/v1/moderation/lexicons/{name}", new { words = new[] { word }, riskLevel = "medium", action });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
    }

    private static async Task<string> SubmitAsync(TestTenant t, string[] prompts)
    {
        var (status, job) = await t.User.PostAsync("/v1/batches", new { modelId = "small", prompts });
        Assert.Equal(HttpStatusCode.Accepted, status);
        return job!["jobId"]!.GetValue<string>();
    }

    private static async Task<JsonNode> WaitForCompletionAsync(TestTenant t, string jobId)
    {
        JsonNode? view = null;
        for (var i = 0; i < 300 && view?["status"]?.GetValue<string>() != "completed"; i++)
        {
            await Task.Delay(100);
            view = await t.User.Http.GetFromJsonAsync<JsonNode>($"/v1/batches/{jobId}");
        }
        Assert.Equal("completed", view!["status"]!.GetValue<string>());
        return view;
    }

    private static async Task<JsonArray> ResultsAsync(TestTenant t, string jobId) =>
        (await t.User.Http.GetFromJsonAsync<JsonNode>($"/v1/batches/{jobId}/results"))!["items"]!.AsArray();
}
