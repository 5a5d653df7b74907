namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>
/// Routing state reads back from the database: the ADO.NET storage keeps grain state as JSON that names each object's
/// .NET type, Orleans reads back only types it allows, and the state types moved from <c>Conversations.Grains.Routing</c>
/// to folders of their own. State written before grain state was sealed reads back too.
/// </summary>
public sealed class StoredStateTests
{
    private const string OperatorKey = "cvk_storedop_stored-state-operator-secret";

    // State name in [PersistentState] → the state type's name before and after the move out of Grains/Routing.
    private static readonly (string State, string Before, string After)[] MovedStates =
    [
        ("budget", "Conversations.Grains.Routing.BudgetGrainState", "Conversations.Grains.Budget.BudgetGrainState"),
        ("canary", "Conversations.Grains.Routing.CanaryGrainState", "Conversations.Grains.Canary.CanaryGrainState"),
        ("model-health", "Conversations.Grains.Routing.ModelHealthGrainState", "Conversations.Grains.Health.ModelHealthGrainState"),
        ("batch-job", "Conversations.Grains.Routing.BatchJobState", "Conversations.Grains.Batches.BatchJobState"),
    ];

    // State name → a routing library record it holds, named before and after that library's namespaces followed its folders.
    private static readonly (string State, string Before, string After)[] MovedRecords =
    [
        ("budget", "Conversations.Routing.BudgetLedgerState", "Conversations.Routing.Cost.BudgetLedgerState"),
        ("canary", "Conversations.Routing.CanaryArmTally", "Conversations.Routing.Canary.CanaryArmTally"),
        ("model-health", "Conversations.Routing.ModelHealthState", "Conversations.Routing.Health.ModelHealthState"),
        ("model-health", "Conversations.Routing.HealthBucket", "Conversations.Routing.Health.HealthBucket"),
    ];

    [Fact(DisplayName = "After a restart, budget, canary, breaker and batch state load again, also rows that name the types of the single Routing folder and namespace")]
    public async Task State_stored_under_earlier_type_names_loads()
    {
        await using var db = await TestDatabase.CreateAsync("stored");
        await using var model = await TestModelServer.StartAsync(new TestModelOptions
        {
            Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2) },
        });
        var settings = new PlatformProcess.Settings(db.ConnectionString, "stored-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment =
            {
                ["Bootstrap__OperatorKey"] = OperatorKey,
                ["Routing__ConfigCacheTtl"] = "00:00:00.2",
                ["Routing__HealthCacheTtl"] = "00:00:00.2",
                // The circuit opened below must still be open after the restart.
                ["Routing__BreakDuration"] = "00:10:00",
                ["Routing__BatchItemInterval"] = "00:00:00.05",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        var port = PlatformProcess.FreePort();
        var suffix = Guid.NewGuid().ToString("n")[..8];
        string adminKey, userKey, jobId;
        JsonNode before;
        // The first host writes grain state as builds before sealing did; the second reads it back (and seals it on its next write).
        var unsealed = settings with { Environment = new Dictionary<string, string>(settings.Environment) { ["Encryption__SealGrainState"] = "false" } };
        await using (var first = await PlatformProcess.StartApiAsync(unsealed, httpPort: port))
        {
            using var op = new ApiClient(first.BaseUrl!, OperatorKey);
            adminKey = await op.CreateTenantAsync("stored");
            using var admin = new ApiClient(first.BaseUrl!, adminKey);
            userKey = await admin.CreateUserWithKeyAsync("alice");
            using var user = new ApiClient(first.BaseUrl!, userKey);
            foreach (var (id, tier) in new[] { ("small", "small"), ("large", "large"), ("cand", "large") })
                await PutModelAsync(admin, model.BaseUrl, id, tier, $"{id}-{suffix}");

            // Breaker: the small model fails until its circuit opens; the turns fall back to the large one and are billed.
            model.Control.SetFault($"small-{suffix}", FaultRule.Status(500));
            await PutPolicyAsync(admin, new { smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false, monthlyBudgetUsd = 100m });
            for (var i = 0; i < 10 && await CircuitAsync(admin, "small") == "closed"; i++)
                await user.SendAsync(await user.CreateConversationAsync(), $"What is the travel policy for trip {i}?");
            Assert.NotEqual("closed", await CircuitAsync(admin, "small"));

            // Canary: a feedback vote writes the tallies at once.
            await PutPolicyAsync(admin, new
            {
                smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, exactCache = false, semanticCache = false, monthlyBudgetUsd = 100m,
                canary = new { candidateModelId = "cand", baselineModelId = "large", share = 1.0, minTurnsPerArm = 50, promoteAfterTurns = 50, minFeedbackPerArm = 1 },
            });
            var conversation = await user.CreateConversationAsync();
            var done = await user.SendAsync(conversation, "Compare the two offers");
            Assert.Equal("done", done[^1].Name);
            var vote = await user.Http.PostAsJsonAsync($"/v1/conversations/{conversation}/messages/{done[^1].Data["assistantMessageSeq"]}/feedback", new { rating = "down" });
            await ApiClient.EnsureAsync(vote, HttpStatusCode.OK);

            // Batch: one prompt, finished.
            var submitted = await user.Http.PostAsJsonAsync("/v1/batches", new { modelId = "large", prompts = new[] { "Summarize the leave policy" } });
            await ApiClient.EnsureAsync(submitted, HttpStatusCode.Accepted);
            jobId = (await submitted.Content.ReadFromJsonAsync<JsonNode>())!["jobId"]!.GetValue<string>();
            for (var i = 0; i < 300 && (await BatchAsync(user, jobId))["status"]!.GetValue<string>() != "completed"; i++) await Task.Delay(100);

            before = await SnapshotAsync(admin, user, jobId);
        }

        // What an earlier build wrote: the same rows, naming the types where they were.
        await using (var data = NpgsqlDataSource.Create(db.ConnectionString))
        {
            foreach (var (state, old, moved) in MovedStates)
                Assert.True(await RenameAsync(data, state, $"\"{moved}, ", $"\"{old}, ") >= 1, $"no stored {state} state names {old}");
            // Also inside array names ("...HealthBucket[], Conversations.Routing").
            foreach (var (state, old, moved) in MovedRecords)
                Assert.True(await RenameAsync(data, state, moved, old) >= 1, $"no stored {state} state names {old}");
        }

        await using var second = await PlatformProcess.StartApiAsync(settings, httpPort: port);
        using var adminAgain = new ApiClient(second.BaseUrl!, adminKey);
        using var userAgain = new ApiClient(second.BaseUrl!, userKey);
        var after = await SnapshotAsync(adminAgain, userAgain, jobId);
        Assert.True(before["spentUsd"]!.GetValue<decimal>() > 0, before.ToJsonString());
        Assert.Equal(1, before["feedbackVotes"]!.GetValue<int>());
        Assert.Equal("completed", before["batch"]!.GetValue<string>());
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    // Rewrites a type name in the stored rows of one state; returns how many rows name the old one afterwards.
    private static async Task<long> RenameAsync(NpgsqlDataSource data, string state, string current, string earlier)
    {
        await using var rename = data.CreateCommand(
            "UPDATE orleans_grain_state SET payload_binary = convert_to(replace(convert_from(payload_binary, 'UTF8'), $1, $2), 'UTF8') " +
            "WHERE grain_type_string = $3 AND payload_binary IS NOT NULL");
        rename.Parameters.Add(new NpgsqlParameter { Value = current });
        rename.Parameters.Add(new NpgsqlParameter { Value = earlier });
        rename.Parameters.Add(new NpgsqlParameter { Value = state });
        await rename.ExecuteNonQueryAsync();
        await using var count = data.CreateCommand(
            "SELECT count(*) FROM orleans_grain_state WHERE grain_type_string = $1 AND position($2 in convert_from(payload_binary, 'UTF8')) > 0");
        count.Parameters.Add(new NpgsqlParameter { Value = state });
        count.Parameters.Add(new NpgsqlParameter { Value = earlier });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task PutModelAsync(ApiClient admin, string endpoint, string id, string tier, string serverName)
    {
        var res = await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
        {
            endpoint, apiKey = "test-key", modelName = serverName, tier, domains = Array.Empty<string>(),
            inputPerMillion = 5m, cachedInputPerMillion = 1m, outputPerMillion = 20m, contextWindowTokens = 128_000, batchDiscount = 0.5m,
        });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
    }

    private static async Task PutPolicyAsync(ApiClient admin, object policy)
    {
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", policy), HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromMilliseconds(400)); // the config cache lifetime, and a margin
    }

    private static async Task<JsonNode> GetAsync(ApiClient client, string path)
    {
        var res = await client.Http.GetAsync(path);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private static async Task<string> CircuitAsync(ApiClient admin, string modelId) =>
        (await GetAsync(admin, "/v1/routing/health")).AsArray().First(h => h!["modelId"]!.GetValue<string>() == modelId)!["circuit"]!.GetValue<string>();

    private static Task<JsonNode> BatchAsync(ApiClient user, string jobId) => GetAsync(user, $"/v1/batches/{jobId}");

    // What each moved grain reads from its state alone.
    private static async Task<JsonNode> SnapshotAsync(ApiClient admin, ApiClient user, string jobId)
    {
        var budget = await GetAsync(admin, "/v1/routing/budget");
        var canary = await GetAsync(admin, "/v1/routing/canary");
        var small = (await GetAsync(admin, "/v1/routing/health")).AsArray().First(h => h!["modelId"]!.GetValue<string>() == "small")!;
        var batch = await BatchAsync(user, jobId);
        return new JsonObject
        {
            ["spentUsd"] = budget["spentUsd"]!.GetValue<decimal>(),
            ["feedbackVotes"] = canary["candidate"]!["feedbackVotes"]!.GetValue<int>() + canary["baseline"]!["feedbackVotes"]!.GetValue<int>(),
            ["circuit"] = small["circuit"]!.GetValue<string>(),
            ["timesOpened"] = small["health"]!["timesOpened"]!.GetValue<int>(),
            ["batch"] = batch["status"]!.GetValue<string>(),
            ["batchTotal"] = batch["total"]!.GetValue<int>(),
        };
    }
}
