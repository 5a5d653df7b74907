namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Evaluation sets, runs through the chat pipeline, and the promotion gate of a canary.</summary>
public sealed class EvaluationGateTests(RoutingPlatform fx) : RoutingPlatformTests
{
    private const string GoodAnswer = "Refunds are accepted within 30 days of delivery, with the original receipt.";
    private const string BadAnswer = "I cannot help with that request.";

    private static object RefundSet(string setId) => new
    {
        setId, name = "Refund policy",
        cases = new object[]
        {
            new { question = "How long do I have to return an order?", facts = new[] { "30 days" }, userId = "alice" },
            new { question = "What do I need to bring for a refund?", facts = new[] { "receipt", "30 days" }, userId = "alice", role = "user" },
        },
    };

    private static object CanaryPolicy(string candidate, string? setId) => new
    {
        smallModelId = "small", largeModelId = "base", complexityThreshold = 0.0, exactCache = false, semanticCache = false,
        canary = new { candidateModelId = candidate, baselineModelId = "base", share = 0.1, minTurnsPerArm = 50, promoteAfterTurns = 50, evaluationSetId = setId, evaluationMargin = 0.1 },
    };

    // "base" as the large model, no canary: a run pinned to it is answered by it.
    private static readonly object BasePolicy = new { smallModelId = "small", largeModelId = "base", complexityThreshold = 0.0, exactCache = false, semanticCache = false };

    // The incumbent ("base", the large model) answers with both facts; the candidate answers as scripted. ("large" is
    // also a tier name, which routing resolves through the policy and its canary, so the incumbent has its own id.)
    // The policy is set, since registered models are only called under one (a run without it is a 409).
    private async Task<TestTenant> TenantWithCandidateAsync(string candidate, string candidateAnswer)
    {
        var t = await fx.NewTenantAsync();
        fx.Model.Control.UpdateModel(t.ServerName("base"), b => b with { ScriptedAnswer = GoodAnswer });
        await t.PutModelAsync("base", "large", 5m);
        fx.Model.Control.UpdateModel(t.ServerName(candidate), b => b with { ScriptedAnswer = candidateAnswer });
        await t.PutModelAsync(candidate, "large", 5m);
        await t.SetPolicyAsync(BasePolicy);
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", RefundSet("refunds")), HttpStatusCode.Created);
        return t;
    }

    // Starts a run (202, Location: the run) and polls it until it is no longer running; returns the run as it ended.
    private static async Task<JsonNode> RunToEndAsync(TestTenant t, string setId, string modelId = "base")
    {
        var started = await StartRunAsync(t, setId, modelId);
        return await WaitForRunAsync(t, started["runId"]!.GetValue<string>());
    }

    private static async Task<JsonNode> StartRunAsync(TestTenant t, string setId, string modelId = "base", ApiClient? client = null)
    {
        var res = await (client ?? t.Admin).Http.PostAsJsonAsync($"/v1/evaluations/sets/{setId}/runs", new { modelId });
        await ApiClient.EnsureAsync(res, HttpStatusCode.Accepted);
        var run = (await res.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal($"/v1/evaluations/runs/{run["runId"]!.GetValue<string>()}", res.Headers.Location?.OriginalString);
        return run;
    }

    private static async Task<JsonNode> WaitForRunAsync(TestTenant t, string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var run = await t.GetAsync($"/v1/evaluations/runs/{runId}");
            if (run["status"]!.GetValue<string>() != "running") return run;
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} still running: {run.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    [Fact(DisplayName = "An evaluation case asked as alice teaches her memory nothing, and deleting its conversation keeps the facts she stated herself")]
    public async Task Evaluation_cases_leave_the_users_memory_alone()
    {
        using var t = await TenantWithCandidateAsync("same", GoodAnswer);
        var own = await t.User.CreateConversationAsync();
        await t.User.SendAsync(own, "My name is Alice Chen.");
        static async Task<List<string>> FactsAsync(TestTenant t) =>
            [.. (await t.User.Http.GetFromJsonAsync<JsonArray>("/v1/me/memory"))!.Select(f => f!["text"]!.GetValue<string>()).Order()];
        var before = await FactsAsync(t);
        Assert.Contains(before, f => f.Contains("Alice Chen", StringComparison.Ordinal));

        // The case states her name and a job: as her own turn it would be learned, and its deletion would then forget
        // every fact those words taught, her own "Alice Chen" among them.
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "names", name = "Names",
            cases = new object[] { new { question = "My name is Alice Chen. I work in payroll. How long do I have to return an order?", facts = new[] { "30 days" }, userId = "alice" } },
        }), HttpStatusCode.Created);
        var run = await RunToEndAsync(t, "names");
        Assert.Equal("completed", run["status"]!.GetValue<string>());
        await Task.Delay(500); // the case's conversation is deleted as the run ends
        Assert.Equal(before, await FactsAsync(t));
    }

    [Fact(DisplayName = "A worse candidate: its canary start is evaluated, promotion is refused with 422 naming fact recall and the numbers; runs are kept")]
    public async Task Worse_candidate_is_refused()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(CanaryPolicy("worse", "refunds"));
        var started = (await t.GetAsync("/v1/routing/events?kind=canary-evaluated")).AsArray().Single()!["message"]!.GetValue<string>();
        Assert.Contains("Gate failed", started);
        Assert.Contains("factRecall", started);

        var refused = await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync("/v1/routing/canary/promote", null), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("factRecall", refused["detail"]!.GetValue<string>());
        var failures = refused["failures"]!.AsArray();
        var recall = failures.Single(f => f!["metric"]!.GetValue<string>() == "factRecall")!;
        Assert.Equal(0.0, recall["candidate"]!.GetValue<double>());
        var incumbentRun = await t.GetAsync($"/v1/evaluations/runs/{refused["incumbentRunId"]!.GetValue<string>()}");
        Assert.True(recall["incumbent"]!.GetValue<double>() == 1.0, incumbentRun.ToJsonString());
        Assert.Equal(0.1, recall["margin"]!.GetValue<double>());
        Assert.Contains(failures, f => f!["metric"]!.GetValue<string>() == "refusalRate");
        Assert.Equal("base", (await t.GetAsync("/v1/routing"))["policy"]!["largeModelId"]!.GetValue<string>());

        // The candidate's answers were produced by the real pipeline as alice, and kept with their scores.
        var candidateRun = await t.GetAsync($"/v1/evaluations/runs/{refused["candidateRunId"]!.GetValue<string>()}");
        Assert.Equal("worse", candidateRun["modelId"]!.GetValue<string>());
        Assert.Equal("canary-promote", candidateRun["purpose"]!.GetValue<string>());
        var first = candidateRun["results"]!.AsArray()[0]!;
        Assert.Equal(BadAnswer, first["answer"]!.GetValue<string>().Trim());
        Assert.Equal("worse", first["model"]!.GetValue<string>());
        Assert.True(first["score"]!["refused"]!.GetValue<bool>());
        Assert.Equal(["30 days"], first["missingFacts"]!.AsArray().Select(f => f!.GetValue<string>()));
        var runs = (await t.GetAsync("/v1/evaluations/runs?setId=refunds")).AsArray();
        Assert.Equal(4, runs.Count); // start and promotion, each against both arms
        Assert.Contains(runs, r => r!["purpose"]!.GetValue<string>() == "canary-start" && r["modelId"]!.GetValue<string>() == "base"
            && r["summary"]!["factRecall"]!.GetValue<double>() == 1.0);
        // Evaluation turns leave nothing in the asking user's history.
        Assert.Empty((await t.User.GetJsonAsync("/v1/conversations"))["conversations"]!.AsArray());
    }

    [Fact(DisplayName = "Cases a rate limit kept from being asked are no evidence: the gate refuses to decide (409 evaluation_incomplete) instead of promoting a worse candidate")]
    public async Task Rate_limited_cases_leave_the_gate_undecided()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        // A fresh user allowed one request a minute: whichever arm asks second is rate limited.
        await t.Admin.CreateUserWithKeyAsync("limited");
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "limited", name = "Rate limited",
            cases = new object[] { new { question = "How long do I have to return an order?", facts = new[] { "30 days" }, userId = "limited" } },
        }), HttpStatusCode.Created);
        await t.Admin.PatchModerationAsync(new { userRequestsPerMinute = 1 });
        await t.SetPolicyAsync(CanaryPolicy("worse", "limited"));

        // The canary's start: the candidate answered, the incumbent's case was refused by the limiter, not by the model.
        var started = (await t.GetAsync("/v1/routing/events?kind=canary-evaluated")).AsArray().Single()!["message"]!.GetValue<string>();
        Assert.Contains("Gate undecided", started);
        Assert.Contains("rate_limited: 1", started);

        var undecided = await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync("/v1/routing/canary/promote", null), HttpStatusCode.Conflict);
        Assert.Equal("evaluation_incomplete", undecided["code"]!.GetValue<string>());
        Assert.Contains("not asked", undecided["detail"]!.GetValue<string>());
        var arms = undecided["notAsked"]!.AsArray();
        Assert.Contains(arms, a => a!["arm"]!.GetValue<string>() == "incumbent" && a["notAsked"]!.GetValue<int>() == 1
            && a["reasons"]!["rate_limited"]!.GetValue<int>() == 1);
        Assert.Equal("base", (await t.GetAsync("/v1/routing"))["policy"]!["largeModelId"]!.GetValue<string>());
        Assert.Empty((await t.GetAsync("/v1/routing/events?kind=canary-promoted")).AsArray());
        Assert.Single((await t.GetAsync("/v1/routing/events?kind=canary-promotion-undecided")).AsArray());
        // An override does not promote past cases that were never asked either.
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/routing/canary/promote", new { @override = true, reason = "ship it" }),
            HttpStatusCode.Conflict);

        // The stored run marks the case and leaves it out of its averages: not a refusal of the model.
        var run = await t.GetAsync($"/v1/evaluations/runs/{undecided["incumbentRunId"]!.GetValue<string>()}");
        Assert.True(run["results"]![0]!["notAsked"]!.GetValue<bool>());
        Assert.Equal("rate_limited", run["results"]![0]!["errorCode"]!.GetValue<string>());
        Assert.Equal(1, run["summary"]!["notAsked"]!.GetValue<int>());
        Assert.Equal(0.0, run["summary"]!["refusalRate"]!.GetValue<double>());
    }

    [Fact(DisplayName = "An override promotes a refused candidate only with a reason, compares the runs of the refusal just made (no set asked again), and is recorded with who overrode it")]
    public async Task Override_is_recorded()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(CanaryPolicy("worse", "refunds"));
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/routing/canary/promote", new { @override = true }), HttpStatusCode.BadRequest);
        var refused = await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync("/v1/routing/canary/promote", null), HttpStatusCode.UnprocessableEntity);
        static int PromoteRuns(JsonNode runs) => runs.AsArray().Count(r => r!["purpose"]!.GetValue<string>() == "canary-promote");
        Assert.Equal(2, PromoteRuns(await t.GetAsync("/v1/evaluations/runs?setId=refunds")));
        var res = await t.Admin.Http.PostAsJsonAsync("/v1/routing/canary/promote", new { @override = true, reason = "legal asked for the new model" });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        // "Promote anyway" decided on the refusal's own runs: the set's answers were not asked (and billed) again.
        Assert.Equal(2, PromoteRuns(await t.GetAsync("/v1/evaluations/runs?setId=refunds")));
        Assert.NotNull(refused["candidateRunId"]);
        Assert.Equal("worse", (await res.Content.ReadFromJsonAsync<JsonNode>())!["policy"]!["largeModelId"]!.GetValue<string>());
        var recorded = (await t.GetAsync("/v1/routing/events?kind=canary-promotion-override")).AsArray().Single()!["message"]!.GetValue<string>();
        Assert.Contains("legal asked for the new model", recorded);
        Assert.Contains("overrode the promotion gate", recorded);
        Assert.Contains("factRecall", recorded);
        // Also in the audit log, with the key that overrode it and the reason.
        var audit = await t.GetAsync("/v1/audit?action=canary.promotion-override");
        Assert.Contains("legal asked for the new model", audit.ToJsonString());
    }

    [Fact(DisplayName = "Promote decides on the canary's own set and margin only: another set or margin is a 400 naming the fields, and the canary's set cannot be deleted")]
    public async Task Promote_uses_the_canarys_set_and_margin()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "trivial", name = "Trivial", cases = new object[] { new { question = "Hello?", userId = "alice" } },
        }), HttpStatusCode.Created);
        await t.SetPolicyAsync(CanaryPolicy("worse", "refunds"));

        var easier = await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/routing/canary/promote", new { evaluationSetId = "trivial" }),
            HttpStatusCode.BadRequest);
        Assert.Contains("evaluationSetId", easier["detail"]!.GetValue<string>());
        Assert.Contains("override, reason", easier["detail"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/routing/canary/promote", new { margin = 1 }), HttpStatusCode.BadRequest);
        Assert.Equal("base", (await t.GetAsync("/v1/routing"))["policy"]!["largeModelId"]!.GetValue<string>());
        Assert.Empty((await t.GetAsync("/v1/routing/events?kind=canary-promoted")).AsArray());

        var inUse = await ApiClient.ProblemAsync(await t.Admin.Http.DeleteAsync("/v1/evaluations/sets/refunds"), HttpStatusCode.Conflict);
        Assert.Contains("'worse'", inUse["detail"]!.GetValue<string>());
        Assert.Equal("refunds", (await t.GetAsync("/v1/evaluations/sets/refunds"))["setId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.Http.DeleteAsync("/v1/evaluations/sets/trivial")).StatusCode);
        // The canary's own gate still refuses the worse candidate.
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync("/v1/routing/canary/promote", null), HttpStatusCode.UnprocessableEntity);
    }

    [Fact(DisplayName = "Two promotions at once: one promotes, the other is a 409 conflict (not a bad request), and the canary is promoted once")]
    public async Task Concurrent_promotions_conflict()
    {
        using var t = await TenantWithCandidateAsync("better", GoodAnswer + " Store credit is also offered.");
        await t.SetPolicyAsync(CanaryPolicy("better", "refunds"));
        var both = await Task.WhenAll(t.Admin.Http.PostAsync("/v1/routing/canary/promote", null), t.Admin.Http.PostAsync("/v1/routing/canary/promote", null));
        Assert.Single(both, r => r.StatusCode == HttpStatusCode.OK);
        var loser = both.Single(r => r.StatusCode != HttpStatusCode.OK);
        Assert.Contains("promoted or rolled back", (await ApiClient.ProblemAsync(loser, HttpStatusCode.Conflict))["detail"]!.GetValue<string>());
        Assert.Single((await t.GetAsync("/v1/routing/events?kind=canary-promoted")).AsArray());
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync("/v1/routing/canary/promote", null), HttpStatusCode.Conflict);
    }

    [Fact(DisplayName = "A candidate as good as the incumbent passes the gate and promotes")]
    public async Task Better_candidate_promotes()
    {
        using var t = await TenantWithCandidateAsync("better", GoodAnswer + " Store credit is also offered.");
        await t.SetPolicyAsync(CanaryPolicy("better", "refunds"));
        Assert.Contains("Gate passed", (await t.GetAsync("/v1/routing/events?kind=canary-evaluated")).AsArray().Single()!["message"]!.GetValue<string>());
        var res = await t.Admin.Http.PostAsync("/v1/routing/canary/promote", null);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        Assert.Equal("better", (await res.Content.ReadFromJsonAsync<JsonNode>())!["policy"]!["largeModelId"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Sets and runs are the tenant's own: another tenant sees 404s and empty lists; users may not use them; bad sets are 400s")]
    public async Task Sets_and_runs_are_isolated()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        var runId = (await RunToEndAsync(t, "refunds"))["runId"]!.GetValue<string>();
        Assert.Single((await t.GetAsync("/v1/evaluations/sets")).AsArray());
        Assert.Equal("alice", (await t.GetAsync("/v1/evaluations/sets/refunds"))["cases"]![0]!["userId"]!.GetValue<string>());

        using var other = await fx.NewTenantAsync();
        Assert.Empty((await other.GetAsync("/v1/evaluations/sets")).AsArray());
        Assert.Empty((await other.GetAsync("/v1/evaluations/runs")).AsArray());
        await ApiClient.ProblemAsync(await other.Admin.Http.GetAsync("/v1/evaluations/sets/refunds"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await other.Admin.Http.GetAsync($"/v1/evaluations/runs/{runId}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await other.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets/refunds/runs", new { modelId = "base" }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await other.Admin.Http.DeleteAsync("/v1/evaluations/sets/refunds"), HttpStatusCode.NotFound);
        // The same set id in another tenant is another set.
        await ApiClient.EnsureAsync(await other.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", RefundSet("refunds")), HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.Forbidden, (await t.User.Http.GetAsync("/v1/evaluations/sets")).StatusCode);
        var noUser = await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new { name = "x", cases = new[] { new { question = "q?" } } });
        Assert.Contains("userId", (await ApiClient.ProblemAsync(noUser, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", RefundSet("refunds")), HttpStatusCode.Conflict);
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets/refunds/runs", new { modelId = "nope" }), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await t.Admin.Http.PutAsJsonAsync("/v1/routing/policy", CanaryPolicy("worse", "missing")), HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.Http.DeleteAsync("/v1/evaluations/sets/refunds")).StatusCode);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync($"/v1/evaluations/runs/{runId}"), HttpStatusCode.NotFound);
        Assert.Single((await other.GetAsync("/v1/evaluations/sets")).AsArray());
    }

    [Fact(DisplayName = "A run whose set is deleted while it runs ends unstored: the run is gone (404), and a new set of the same id shows no runs of the old one")]
    public async Task Run_of_a_deleted_set_is_not_kept()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        // One request a minute: the second case waits for the limit, so the run is still going when the set is deleted.
        await t.Admin.PatchModerationAsync(new { userRequestsPerMinute = 1 });
        var runId = (await StartRunAsync(t, "refunds"))["runId"]!.GetValue<string>();
        await Task.Delay(700);
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.Http.DeleteAsync("/v1/evaluations/sets/refunds")).StatusCode);
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", RefundSet("refunds")), HttpStatusCode.Created);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync($"/v1/evaluations/runs/{runId}"), HttpStatusCode.NotFound);
        // Past the rate limit's wait (at most 10 s) the run has asked its last case; it stored nothing then either.
        await Task.Delay(TimeSpan.FromSeconds(11));
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync($"/v1/evaluations/runs/{runId}"), HttpStatusCode.NotFound);
        Assert.Empty((await t.GetAsync("/v1/evaluations/runs?setId=refunds")).AsArray());
        Assert.Empty((await t.GetAsync("/v1/evaluations/runs")).AsArray());
    }

    [Fact(DisplayName = "A tenant deleted while its evaluation run waits on the model: the run ends and leaves no row behind")]
    public async Task Run_of_a_deleted_tenant_ends()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        // The incumbent is slow to start answering, so the run is inside the model call when the tenant goes.
        fx.Model.Control.UpdateModel(t.ServerName("base"), b => b with { TimeToFirstToken = TimeSpan.FromSeconds(4) });
        await t.SetPolicyAsync(CanaryPolicy("worse", null));
        var runId = (await StartRunAsync(t, "refunds"))["runId"]!.GetValue<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!fx.Model.Requests.Any(r => r.Model == t.ServerName("base")))
        {
            Assert.True(DateTime.UtcNow < deadline, "the run never reached the model");
            await Task.Delay(50);
        }
        using var op = fx.Operator();
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{t.TenantId}")).StatusCode);

        // The model's answer comes after the deletion; what the run does next (progress, the second case, completion)
        // must not write the tenant's run back.
        await Task.Delay(TimeSpan.FromSeconds(6));
        await using var db = NpgsqlDataSource.Create(fx.Database.ConnectionString);
        await using var count = db.CreateCommand("SELECT count(*) FROM evaluation_runs WHERE tenant_id = @t OR run_id = @r");
        count.Parameters.AddWithValue("t", t.TenantId);
        count.Parameters.AddWithValue("r", runId);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact(DisplayName = "Deleting a user erases their words from evaluation data: their cases keep their place with question and user replaced, and stored runs lose that case's question and answer")]
    public async Task Erased_user_leaves_no_words_in_evaluations()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.Admin.CreateUserWithKeyAsync("voter");
        var marker = "zq" + Guid.NewGuid().ToString("n")[..10];
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "mixed", name = "Mixed",
            cases = new object[]
            {
                new { question = "How long do I have to return an order?", userId = "alice" },
                new { question = $"My diagnosis {marker}: how long do I have to return an order?", userId = "voter" },
            },
        }), HttpStatusCode.Created);
        var run = await RunToEndAsync(t, "mixed");
        var runId = run["runId"]!.GetValue<string>();
        Assert.Contains(marker, (await t.GetAsync($"/v1/evaluations/runs/{runId}")).ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.Http.DeleteAsync("/v1/users/voter")).StatusCode);
        var cases = (await t.GetAsync("/v1/evaluations/sets/mixed"))["cases"]!.AsArray();
        Assert.Equal(2, cases.Count);
        Assert.Equal("alice", cases[0]!["userId"]!.GetValue<string>());
        Assert.Equal(("(deleted)", "(deleted)"), (cases[1]!["userId"]!.GetValue<string>(), cases[1]!["question"]!.GetValue<string>()));
        var stored = await t.GetAsync($"/v1/evaluations/runs/{runId}");
        Assert.DoesNotContain(marker, stored.ToJsonString());
        var results = stored["results"]!.AsArray();
        Assert.Equal("How long do I have to return an order?", results[0]!["question"]!.GetValue<string>());
        Assert.Equal(("(deleted)", "(deleted)"), (results[1]!["question"]!.GetValue<string>(), results[1]!["answer"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "A case is asked as a user of the tenant with no more than their role; a case whose user was deleted since is not asked or billed")]
    public async Task Case_users_are_the_tenants()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        object Set(string userId, string role) => new { name = "x", cases = new object[] { new { question = "How long do I have?", userId = "alice" }, new { question = "q?", userId, role } } };
        var ghost = await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", Set("ghost", "user")), HttpStatusCode.BadRequest);
        Assert.Contains("cases[1].userId", ghost["detail"]!.GetValue<string>());
        Assert.Contains("'ghost'", ghost["detail"]!.GetValue<string>());
        var raised = await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", Set("alice", "tenant_admin")), HttpStatusCode.BadRequest);
        Assert.Contains("cases[1].role", raised["detail"]!.GetValue<string>());
        Assert.DoesNotContain((await t.GetAsync("/v1/evaluations/sets")).AsArray(), s => s!["name"]!.GetValue<string>() == "x");

        await t.Admin.CreateUserWithKeyAsync("leaver");
        var created = await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", Set("leaver", "user"));
        await ApiClient.EnsureAsync(created, HttpStatusCode.Created);
        var setId = (await created.Content.ReadFromJsonAsync<JsonNode>())!["setId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.Http.DeleteAsync("/v1/users/leaver")).StatusCode);
        var ran = await RunToEndAsync(t, setId);
        Assert.Equal("completed", ran["status"]!.GetValue<string>());
        var results = ran["results"]!.AsArray();
        Assert.NotEqual("unknown_user", results[0]!["errorCode"]?.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(results[0]!["answer"]!.GetValue<string>()));
        Assert.Equal("unknown_user", results[1]!["errorCode"]!.GetValue<string>());
        // The case nobody could ask is counted apart, not scored as the model's refusal.
        Assert.True(results[1]!["notAsked"]!.GetValue<bool>());
        var summary = ran["summary"]!;
        Assert.Equal(results.Count(r => r!["notAsked"]!.GetValue<bool>()), summary["notAsked"]!.GetValue<int>());
        Assert.Equal(2, summary["cases"]!.GetValue<int>());
        Assert.Equal(0, (await t.GetAsync("/v1/usage?userId=leaver"))["totals"]!["turns"]!.GetValue<long>());
    }

    [Fact(DisplayName = "Evaluation cases are not the tenant's traffic: a run adds nothing to the drift window, a chat turn does")]
    public async Task Evaluation_turns_do_not_feed_drift()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        Assert.Equal(0, (await t.GetAsync("/v1/drift"))["windowQuestions"]!.GetValue<long>());
        Assert.Equal("completed", (await RunToEndAsync(t, "refunds"))["status"]!.GetValue<string>());
        // One real question after the run: its sample is sent after the cases' would have been, so once it is counted the
        // window holds everything the run could have added.
        var conversation = await t.User.CreateConversationAsync();
        await t.User.SendAsync(conversation, "Can I return shoes after five weeks?");
        long window = 0;
        for (var i = 0; i < 100 && window == 0; i++)
        {
            window = (await t.GetAsync("/v1/drift"))["windowQuestions"]!.GetValue<long>();
            if (window == 0) await Task.Delay(100);
        }
        Assert.Equal(1, window);
    }

    [Fact(DisplayName = "A thumbs-down answer becomes an evaluation case in one call: its question, asked as the voter; a thumbs up or another tenant's vote cannot")]
    public async Task Negative_feedback_becomes_a_case()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        var conversation = await t.User.CreateConversationAsync();
        var seq = (await t.User.SendAsync(conversation, "Can I return shoes after five weeks?")).Done()["assistantMessageSeq"]!.GetValue<long>();
        var vote = $"/v1/conversations/{conversation}/messages/{seq}/feedback";
        Assert.Equal(HttpStatusCode.OK, (await t.User.PostAsync(vote, new { rating = "up" })).Status);
        var body = new { conversationId = conversation, seq, facts = new[] { "30 days" } };
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets/refunds/cases/from-feedback", body), HttpStatusCode.Conflict);

        Assert.Equal(HttpStatusCode.OK, (await t.User.PostAsync(vote, new { rating = "down", comment = "Wrong window." })).Status);
        var res = await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets/refunds/cases/from-feedback", body);
        await ApiClient.EnsureAsync(res, HttpStatusCode.Created);
        var cases = (await t.GetAsync("/v1/evaluations/sets/refunds"))["cases"]!.AsArray();
        Assert.Equal(3, cases.Count);
        Assert.Equal("Can I return shoes after five weeks?", cases[2]!["question"]!.GetValue<string>());
        Assert.Equal("alice", cases[2]!["userId"]!.GetValue<string>());
        Assert.Equal(["30 days"], cases[2]!["facts"]!.AsArray().Select(f => f!.GetValue<string>()));

        using var other = await fx.NewTenantAsync();
        await ApiClient.EnsureAsync(await other.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", RefundSet("refunds")), HttpStatusCode.Created);
        await ApiClient.ProblemAsync(await other.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets/refunds/cases/from-feedback", body), HttpStatusCode.NotFound);
        Assert.Equal(2, (await other.GetAsync("/v1/evaluations/sets/refunds"))["cases"]!.AsArray().Count);
    }

    [Fact(DisplayName = "A run is a job: 202 with Location and the run running at 0 of its cases, progress visible while it runs and in the run list, then completed with summary and results")]
    public async Task Run_is_a_job_with_progress()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(BasePolicy);
        // About two seconds a case: the run is seen between its cases.
        fx.Model.Control.UpdateModel(t.ServerName("base"), b => b with { TimePerToken = TimeSpan.FromMilliseconds(150) });
        var started = await StartRunAsync(t, "refunds");
        Assert.Equal("running", started["status"]!.GetValue<string>());
        Assert.Equal((0, 2), (started["progress"]!["done"]!.GetValue<int>(), started["progress"]!["total"]!.GetValue<int>()));
        var runId = started["runId"]!.GetValue<string>();

        var listed = (await t.GetAsync("/v1/evaluations/runs?setId=refunds")).AsArray().Single()!;
        Assert.Equal((runId, "running"), (listed["runId"]!.GetValue<string>(), listed["status"]!.GetValue<string>()));
        JsonNode run;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((run = await t.GetAsync($"/v1/evaluations/runs/{runId}"))["progress"]!["done"]!.GetValue<int>() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first case never finished");
            await Task.Delay(50);
        }
        Assert.Equal(("running", 1), (run["status"]!.GetValue<string>(), run["progress"]!["done"]!.GetValue<int>()));
        Assert.Null(run["summary"]);

        var ended = await WaitForRunAsync(t, runId);
        Assert.Equal("completed", ended["status"]!.GetValue<string>());
        Assert.Equal((2, 2), (ended["progress"]!["done"]!.GetValue<int>(), ended["progress"]!["total"]!.GetValue<int>()));
        Assert.Equal(2, ended["summary"]!["cases"]!.GetValue<int>());
        Assert.All(ended["results"]!.AsArray(), r => Assert.False(string.IsNullOrEmpty(r!["answer"]!.GetValue<string>())));
        Assert.Equal("completed", (await t.GetAsync("/v1/evaluations/runs")).AsArray().Single()!["status"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A run is not tied to the request that started it: its client giving up on its next request and disconnecting while a case is answered, the run completes with every case answered")]
    public async Task Run_survives_its_client_disconnecting()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(BasePolicy);
        // Several seconds a case from a long answer at 50 ms a token: the first is still being answered through everything
        // the starter does below, and no pause between tokens comes near the platform's 1 s stall timeout, which on a
        // loaded machine would hand the case to a fallback model.
        var server = t.ServerName("base");
        var longAnswer = GoodAnswer + string.Concat(Enumerable.Repeat(" Keep the receipt.", 40));
        fx.Model.Control.UpdateModel(server, b => b with { ScriptedAnswer = longAnswer, TimePerToken = TimeSpan.FromMilliseconds(50) });
        string runId;
        using (var starter = fx.As(t.Admin.Key))
        {
            runId = (await StartRunAsync(t, "refunds", client: starter))["runId"]!.GetValue<string>();
            // The starter's next request, on the connection the 202 came back on, is given up on half sent: the server
            // aborts that request, and the token of the request that started the run is the connection's token, reused.
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            using var unfinished = new UnfinishedBody();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter.Http.PostAsync("/v1/evaluations/sets", unfinished, giveUp.Token));
            var during = await t.GetAsync($"/v1/evaluations/runs/{runId}");
            Assert.True(during["progress"]!["done"]!.GetValue<int>() == 0, $"the first case was no longer in flight: {during.ToJsonString()}");
        }
        // The starter's connections are closed while the first case is still being answered.
        var ended = await WaitForRunAsync(t, runId);
        Assert.Equal("completed", ended["status"]!.GetValue<string>());
        Assert.Equal((2, 2), (ended["progress"]!["done"]!.GetValue<int>(), ended["progress"]!["total"]!.GetValue<int>()));
        var results = ended["results"]!.AsArray();
        Assert.Equal(2, results.Count);
        // Every case answered, none cancelled with the starter's request. On a loaded machine a case may still reach the
        // platform's stall timeout and be answered by the fallback model (answered_by_other_model): answered all the same.
        Assert.All(results, r => Assert.Contains(r!["errorCode"]?.GetValue<string>(), new string?[] { null, "answered_by_other_model" }));
        Assert.All(results, r => Assert.False(string.IsNullOrWhiteSpace(r!["answer"]!.GetValue<string>())));
        Assert.Contains(results, r => r!["answer"]!.GetValue<string>().Trim() == longAnswer);
        Assert.Equal(2, fx.Model.Requests.Count(r => r.Model == server));
    }

    // A JSON body whose sender writes its start and then never finishes it.
    private sealed class UnfinishedBody : HttpContent
    {
        public UnfinishedBody() => Headers.ContentType = new("application/json");

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync("{\"name\":"u8.ToArray(), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    // More words for a question whose echoed answer must last a while.
    private static readonly string LongTail = string.Concat(Enumerable.Repeat(" I kept the box, the charger and the printed receipt.", 12));

    [Fact(DisplayName = "A user erased while a run asks their case: the run completes with every case counted, and neither it nor an export holds that user's question or answer")]
    public async Task User_erased_while_their_case_is_asked()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(BasePolicy);
        await t.Admin.CreateUserWithKeyAsync("leaver");
        var marker = "zq" + Guid.NewGuid().ToString("n")[..10];
        const string aliceQuestion = "How long do I have to return an order?";
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "leaving", name = "Leaving user",
            cases = new object[]
            {
                new { question = $"Order {marker}: how long do I have to return it, and what must I bring to the shop for a refund?" + LongTail, userId = "leaver" },
                new { question = aliceQuestion, userId = "alice" },
            },
        }), HttpStatusCode.Created);
        // Each answer repeats its question word by word: the leaver's holds the marker too, and lasts several seconds
        // from its length, at 60 ms a token, so that no pause between tokens comes near the platform's 1 s stall timeout
        // (on a loaded machine that would hand the case to a fallback model).
        var server = t.ServerName("base");
        fx.Model.Control.UpdateModel(server, b => b with { ScriptedAnswer = null, Echo = true, TimePerToken = TimeSpan.FromMilliseconds(60) });
        var runId = (await StartRunAsync(t, "leaving"))["runId"]!.GetValue<string>();

        // The leaver's case has reached the model; they are erased while it is being answered.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!fx.Model.Requests.Any(r => r.Model == server && r.Messages.Any(m => m.Content.Contains(marker, StringComparison.Ordinal))))
        {
            Assert.True(DateTime.UtcNow < deadline, "the leaver's case never reached the model");
            await Task.Delay(20);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.Http.DeleteAsync("/v1/users/leaver")).StatusCode);
        // The erasure can end the leaver's case at once (its conversation is gone), so the run may count it done by
        // now; alice's case, asked after it, cannot be done this soon.
        var during = await t.GetAsync($"/v1/evaluations/runs/{runId}");
        Assert.True(during["progress"]!["done"]!.GetValue<int>() < 2, $"the leaver's case was no longer in flight: {during.ToJsonString()}");

        var ended = await WaitForRunAsync(t, runId);
        Assert.Equal("completed", ended["status"]!.GetValue<string>());
        Assert.Equal((2, 2), (ended["progress"]!["done"]!.GetValue<int>(), ended["progress"]!["total"]!.GetValue<int>()));
        Assert.Equal(2, ended["summary"]!["cases"]!.GetValue<int>());
        Assert.DoesNotContain(marker, ended.ToJsonString());
        var results = ended["results"]!.AsArray();
        Assert.Equal(("(deleted)", "(deleted)"), (results[0]!["question"]!.GetValue<string>(), results[0]!["answer"]!.GetValue<string>()));
        // Alice's case is kept whole.
        Assert.Equal(aliceQuestion, results[1]!["question"]!.GetValue<string>());
        Assert.Contains(aliceQuestion, results[1]!["answer"]!.GetValue<string>());

        var exported = await t.ExportedAsync(null, "evaluation-cases.jsonl");
        Assert.DoesNotContain(marker, exported);
        Assert.Contains(aliceQuestion, exported);
    }

    [Fact(DisplayName = "A run whose host stopped does not stay running: it reads as failed, saying to start it again; a run can be cancelled once")]
    public async Task Interrupted_run_reads_as_failed()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(BasePolicy);
        fx.Model.Control.UpdateModel(t.ServerName("base"), b => b with { TimeToFirstToken = TimeSpan.FromSeconds(3) });
        var runId = (await StartRunAsync(t, "refunds"))["runId"]!.GetValue<string>();
        // A host that stopped leaves its heartbeat behind: the row as a restart finds it.
        await using (var db = NpgsqlDataSource.Create(fx.Database.ConnectionString))
        {
            await using var stale = db.CreateCommand("UPDATE evaluation_runs SET heartbeat_at = now() - interval '5 minutes' WHERE tenant_id = @t AND run_id = @r");
            stale.Parameters.AddWithValue("t", t.TenantId);
            stale.Parameters.AddWithValue("r", runId);
            Assert.Equal(1, await stale.ExecuteNonQueryAsync());
        }
        var failed = await t.GetAsync($"/v1/evaluations/runs/{runId}");
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("start the run again", failed["error"]!.GetValue<string>());
        Assert.Equal("failed", (await t.GetAsync("/v1/evaluations/runs")).AsArray().Single()!["status"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync($"/v1/evaluations/runs/{runId}/cancel", null), HttpStatusCode.Conflict);

        var second = (await StartRunAsync(t, "refunds"))["runId"]!.GetValue<string>();
        var cancel = await t.Admin.Http.PostAsync($"/v1/evaluations/runs/{second}/cancel", null);
        await ApiClient.EnsureAsync(cancel, HttpStatusCode.OK);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());
        // The cases the run was asking stop; neither run is completed behind the admin's back.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal("failed", (await t.GetAsync($"/v1/evaluations/runs/{runId}"))["status"]!.GetValue<string>());
        Assert.Equal("cancelled", (await t.GetAsync($"/v1/evaluations/runs/{second}"))["status"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync("/v1/evaluations/runs/run_nope/cancel", null), HttpStatusCode.NotFound);
    }

    [Fact(DisplayName = "A user's export holds the evaluation cases asked as them (set, name, index, question) with each case's answers from stored runs, and no one else's")]
    public async Task User_export_holds_their_evaluation_cases()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(BasePolicy);
        await t.Admin.CreateUserWithKeyAsync("voter");
        var marker = "zq" + Guid.NewGuid().ToString("n")[..10];
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "mixed", name = "Mixed questions",
            cases = new object[]
            {
                new { question = "How long do I have to return an order?", userId = "alice" },
                new { question = $"Order {marker}: how long do I have to return it?", userId = "voter", facts = new[] { "30 days" } },
            },
        }), HttpStatusCode.Created);
        var run = await RunToEndAsync(t, "mixed");
        var runId = run["runId"]!.GetValue<string>();

        var voterLines = (await t.ExportedAsync("voter", "evaluation-cases.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = JsonNode.Parse(Assert.Single(voterLines))!;
        Assert.Equal(("mixed", "Mixed questions", 1), (line["set_id"]!.GetValue<string>(), line["set_name"]!.GetValue<string>(), line["case_index"]!.GetValue<int>()));
        Assert.Equal($"Order {marker}: how long do I have to return it?", line["question"]!.GetValue<string>());
        var answer = Assert.Single(line["answers"]!.AsArray())!;
        Assert.Equal(runId, answer["run_id"]!.GetValue<string>());
        Assert.Equal(run["results"]![1]!["answer"]!.GetValue<string>(), answer["answer"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(answer["answer"]!.GetValue<string>()));

        // Alice's: her two refund cases (that set never ran: no answers) and her case of the mixed set, never the voter's.
        var alice = await t.ExportedAsync("alice", "evaluation-cases.jsonl");
        Assert.DoesNotContain(marker, alice);
        var aliceLines = alice.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["mixed/0", "refunds/0", "refunds/1"],
            aliceLines.Select(l => $"{l["set_id"]}/{l["case_index"]}").Order(StringComparer.Ordinal));
        Assert.All(aliceLines.Where(l => l["set_id"]!.GetValue<string>() == "refunds"), l => Assert.Empty(l["answers"]!.AsArray()));
    }

    [Fact(DisplayName = "Evaluation turns are billed under their own kind: the usage report shows their cost and count apart from chat, and the tenant's budget counts them")]
    public async Task Evaluation_turns_are_billed_apart()
    {
        using var t = await TenantWithCandidateAsync("worse", BadAnswer);
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "base", complexityThreshold = 0.0, exactCache = false, semanticCache = false, monthlyBudgetUsd = 100m });
        var chatCost = (await t.AskAsync("Can I return shoes after five weeks?")).Done()["usage"]!["costUsd"]!.GetValue<decimal>();
        var run = await RunToEndAsync(t, "refunds");
        var evaluationCost = run["summary"]!["totalCostUsd"]!.GetValue<decimal>();
        Assert.True(chatCost > 0 && evaluationCost > 0, $"chat {chatCost}, evaluation {evaluationCost}");

        var report = await t.GetAsync("/v1/usage");
        var rows = report["rows"]!.AsArray().Select(r => r!).ToList();
        var evaluation = rows.Where(r => r["kind"]!.GetValue<string>() == "evaluation").ToList();
        Assert.Equal(evaluationCost, evaluation.Sum(r => r["costUsd"]!.GetValue<decimal>()));
        Assert.Equal(2, evaluation.Sum(r => r["evaluationTurns"]!.GetValue<long>()));
        Assert.All(evaluation, r => Assert.Equal(0, r["turns"]!.GetValue<long>()));
        Assert.Equal(chatCost, rows.Where(r => r["kind"]!.GetValue<string>() == "turn").Sum(r => r["costUsd"]!.GetValue<decimal>()));
        var totals = report["totals"]!;
        Assert.Equal((1L, 2L), (totals["turns"]!.GetValue<long>(), totals["evaluationTurns"]!.GetValue<long>()));
        Assert.Equal(chatCost + evaluationCost, totals["costUsd"]!.GetValue<decimal>());
        // Still the tenant's spend: the budget holds chat and evaluation alike.
        Assert.Equal(chatCost + evaluationCost, (await t.GetAsync("/v1/routing/budget"))["spentUsd"]!.GetValue<decimal>());
    }
}
