namespace Conversations.Routing.IntegrationTests.Infrastructure;

/// <summary>A tenant of a test, with its admin and user clients and helpers for the routing admin API.</summary>
public sealed class TestTenant(RoutingPlatform platform, string tenantId, ApiClient admin, ApiClient user, string suffix) : IDisposable
{
    /// <summary>The tenant id.</summary>
    public string TenantId { get; } = tenantId;

    /// <summary>The tenant admin.</summary>
    public ApiClient Admin { get; } = admin;

    /// <summary>The user "alice".</summary>
    public ApiClient User { get; } = user;

    /// <summary>The name the test server knows a catalog model by (unique to this tenant).</summary>
    public string ServerName(string modelId) => $"{modelId}-{suffix}";

    /// <summary>
    /// Registers a catalog model served by the test server (or by <paramref name="endpoint"/>, with <paramref name="apiKey"/>);
    /// <paramref name="sendPromptCacheKey"/> null leaves the provider cache hint to the deployment's setting.
    /// </summary>
    public async Task PutModelAsync(string modelId, string tier, decimal price, string? serverName = null, string? endpoint = null, string apiKey = "test-key",
        bool vision = false, bool? sendPromptCacheKey = null)
    {
        var res = await Admin.Http.PutAsJsonAsync($"/v1/routing/models/{modelId}", new
        {
            endpoint = endpoint ?? platform.Model.BaseUrl,
            apiKey,
            modelName = serverName ?? ServerName(modelId),
            tier,
            domains = Array.Empty<string>(),
            inputPerMillion = price,
            cachedInputPerMillion = price / 4,
            outputPerMillion = price * 4,
            contextWindowTokens = 128_000,
            batchDiscount = 0.5m,
            vision,
            sendPromptCacheKey,
        });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
    }

    /// <summary>Sets the policy (anonymous object in the API's JSON shape) and waits until turns see it.</summary>
    public async Task SetPolicyAsync(object policy)
    {
        await ApiClient.EnsureAsync(await Admin.Http.PutAsJsonAsync("/v1/routing/policy", policy), HttpStatusCode.OK);
        await Task.Delay(RoutingPlatform.ConfigSettle);
    }

    /// <summary>GETs an admin route as JSON.</summary>
    public Task<JsonNode> GetAsync(string path) => Admin.GetJsonAsync(path);

    /// <summary>Sends one message in a new conversation of <paramref name="client"/> (the user by default).</summary>
    public async Task<List<SseEvent>> AskAsync(string text, ApiClient? client = null)
    {
        client ??= User;
        var conversation = await client.CreateConversationAsync();
        return await client.SendAsync(conversation, text);
    }

    /// <summary>
    /// Sends a turn the policy routes to "large" (complexityThreshold 0) until "large" answers it. On a loaded machine
    /// the large call may miss its first-token timeout and get a backup answer, as designed: done.route still names the
    /// router's choice of "large", so only such a fallback is asked again (after the break, should the misses have
    /// opened the circuit), at most twice. Any other answer fails with the turn's events. Turns: how many it took.
    /// </summary>
    public async Task<(JsonNode Done, int Turns)> AskLargeAsync(string conversationId, string question)
    {
        for (var turns = 1; ; turns++)
        {
            var events = await User.SendAsync(conversationId, question);
            var done = events.Done();
            if (done["model"]!.GetValue<string>() == "large") return (done, turns);
            var fellBack = done["route"]?.GetValue<string>().StartsWith("large model:", StringComparison.Ordinal) == true;
            Assert.True(fellBack && turns < 3, $"expected model large, turn {turns}:\n{events.Dump()}");
            await Task.Delay(RoutingPlatform.BreakDuration);
        }
    }

    /// <summary>The health of a catalog model's endpoint: this tenant's own figures.</summary>
    public async Task<JsonNode> HealthAsync(string modelId) => (await HealthEntryAsync(modelId))["health"]!;

    /// <summary>A catalog model's whole entry in <c>GET /v1/routing/health</c> (circuit, own figures, shared state).</summary>
    public async Task<JsonNode> HealthEntryAsync(string modelId) =>
        (await GetAsync("/v1/routing/health")).AsArray().First(h => h!["modelId"]!.GetValue<string>() == modelId)!;

    /// <summary>
    /// One file of a user's export archive, or of the whole tenant's when <paramref name="userId"/> is null (the export
    /// started, polled until it succeeded, and downloaded).
    /// </summary>
    public async Task<string> ExportedAsync(string? userId, string entry)
    {
        var (status, job) = await Admin.PostAsync("/v1/exports", new { userId });
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = job!["exportId"]!.GetValue<string>();
        for (var i = 0; i < 300 && job!["status"]!.GetValue<string>() == "running"; i++)
        {
            await Task.Delay(100);
            job = await Admin.GetJsonAsync($"/v1/exports/{id}");
        }
        Assert.Equal("succeeded", job!["status"]!.GetValue<string>());
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(await Admin.Http.GetByteArrayAsync($"/v1/exports/{id}/archive")));
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return await reader.ReadToEndAsync();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Admin.Dispose();
        User.Dispose();
    }
}
