using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Conversations.IntegrationTests.Infrastructure;
using Conversations.TestModel;

namespace Conversations.Routing.IntegrationTests.Infrastructure;

/// <summary>
/// One platform process on a scratch database, talking to a local OpenAI-compatible test model server, with short
/// breaker and cache timings so outages and recoveries happen within a test.
/// </summary>
public sealed class RoutingPlatform : IAsyncLifetime
{
    /// <summary>The operator key of the process.</summary>
    public const string OperatorKey = "cvk_routingop_routing-operator-secret";

    /// <summary>How long an open circuit waits before its probe.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    /// <summary>Time after an admin edit before every turn sees it (config cache lifetime plus margin).</summary>
    public static readonly TimeSpan ConfigSettle = TimeSpan.FromMilliseconds(400);

    /// <summary>The test model server; every model name answers, each can get its own faults.</summary>
    public TestModelServer Model { get; private set; } = null!;

    /// <summary>The scratch database.</summary>
    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The platform process.</summary>
    public PlatformProcess Platform { get; private set; } = null!;

    /// <summary>A client with a key.</summary>
    public ApiClient As(string? key) => new(Platform.BaseUrl!, key);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Model = await TestModelServer.StartAsync(new TestModelOptions
        {
            Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2) },
        });
        Database = await TestDatabase.CreateAsync("routing");
        Platform = await PlatformProcess.StartApiAsync(new PlatformProcess.Settings(Database.ConnectionString, "routing-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment =
            {
                ["Bootstrap__OperatorKey"] = OperatorKey,
                ["Models__Chat__FirstTokenTimeout"] = "00:00:01.5",
                ["Models__Chat__StallTimeout"] = "00:00:01",
                ["Routing__ConfigCacheTtl"] = "00:00:00.2",
                ["Routing__HealthCacheTtl"] = "00:00:00.2",
                ["Routing__KnowledgeVersionCacheTtl"] = "00:00:00.2",
                ["Routing__BreakDuration"] = "00:00:02",
                ["Routing__ConsecutiveFailureThreshold"] = "3",
                ["Routing__TurnDetailsFlushInterval"] = "00:00:00.1",
                ["Routing__BatchItemInterval"] = "00:00:00.05",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Database.DisposeAsync();
        await Model.DisposeAsync();
    }

    /// <summary>
    /// A new tenant with an admin and a user "alice", and models "small" and "large" whose names at the test server are
    /// unique to this tenant (so one test's faults and circuits never touch another's). Prices are USD per million tokens.
    /// </summary>
    public async Task<TestTenant> NewTenantAsync(decimal smallPrice = 0.5m, decimal largePrice = 5m)
    {
        var tenantId = $"r-{Guid.NewGuid():n}"[..20];
        using var op = As(OperatorKey);
        var adminKey = await op.CreateTenantAsync(tenantId);
        var admin = As(adminKey);
        var userKey = await admin.CreateUserWithKeyAsync("alice");
        var tenant = new TestTenant(this, tenantId, admin, As(userKey), tenantId[2..10]);
        await tenant.PutModelAsync("small", "small", smallPrice);
        await tenant.PutModelAsync("large", "large", largePrice);
        return tenant;
    }
}

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

    /// <summary>Registers a catalog model served by the test server (or by <paramref name="endpoint"/>, with <paramref name="apiKey"/>).</summary>
    public async Task PutModelAsync(string modelId, string tier, decimal price, string? serverName = null, string? endpoint = null, string apiKey = "test-key")
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
    public async Task<JsonNode> GetAsync(string path)
    {
        var res = await Admin.Http.GetAsync(path);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    /// <summary>Sends one message in a new conversation of <paramref name="client"/> (the user by default).</summary>
    public async Task<List<SseEvent>> AskAsync(string text, ApiClient? client = null)
    {
        client ??= User;
        var conversation = await client.CreateConversationAsync();
        return await client.SendAsync(conversation, text);
    }

    /// <summary>The health of a catalog model's endpoint: this tenant's own figures.</summary>
    public async Task<JsonNode> HealthAsync(string modelId) => (await HealthEntryAsync(modelId))["health"]!;

    /// <summary>A catalog model's whole entry in <c>GET /v1/routing/health</c> (circuit, own figures, shared state).</summary>
    public async Task<JsonNode> HealthEntryAsync(string modelId) =>
        (await GetAsync("/v1/routing/health")).AsArray().First(h => h!["modelId"]!.GetValue<string>() == modelId)!;

    /// <inheritdoc />
    public void Dispose()
    {
        Admin.Dispose();
        User.Dispose();
    }
}

/// <summary>Tests sharing one routing platform process.</summary>
[CollectionDefinition(Name)]
public sealed class RoutingCollection : ICollectionFixture<RoutingPlatform>
{
    /// <summary>The collection name.</summary>
    public const string Name = "routing-platform";
}

/// <summary>Reading turn results.</summary>
public static class TurnEvents
{
    /// <summary>The done event's data, failing with the events when the turn did not finish.</summary>
    public static JsonNode Done(this List<SseEvent> events)
    {
        Assert.True(events.Count > 0 && events[^1].Name == "done", events.Dump());
        return events[^1].Data;
    }
}
