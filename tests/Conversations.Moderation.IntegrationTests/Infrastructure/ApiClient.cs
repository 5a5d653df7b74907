using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Conversations.Moderation.IntegrationTests.Infrastructure;

/// <summary>One server-sent event of a turn.</summary>
public sealed record SseEvent(string Name, JsonNode Data);

/// <summary>A thin HTTP client of the /v1 API acting with one key.</summary>
public sealed class ApiClient(string baseUrl, string? key) : IDisposable
{
    /// <summary>The underlying client.</summary>
    public HttpClient Http { get; } = Create(baseUrl, key);

    /// <summary>Creates a tenant (operator key); returns the admin key.</summary>
    public async Task<string> CreateTenantAsync(string tenantId)
    {
        var res = await Http.PostAsJsonAsync("/v1/tenants", new { tenantId, name = tenantId });
        await EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!["adminKey"]!.GetValue<string>();
    }

    /// <summary>Creates a user (admin key) and returns a key for them.</summary>
    public async Task<string> CreateUserWithKeyAsync(string userId)
    {
        await EnsureAsync(await Http.PostAsJsonAsync("/v1/users", new { userId, role = "user" }), HttpStatusCode.Created);
        var res = await Http.PostAsync($"/v1/users/{userId}/keys", null);
        await EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
    }

    /// <summary>Creates a conversation; returns its id.</summary>
    public async Task<string> CreateConversationAsync()
    {
        var res = await Http.PostAsJsonAsync("/v1/conversations", new { title = "moderation" });
        await EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!["conversationId"]!.GetValue<string>();
    }

    /// <summary>Posts a message and returns the raw response (headers read, body not yet).</summary>
    public Task<HttpResponseMessage> PostMessageAsync(string conversationId, string text) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{conversationId}/messages") { Content = JsonContent.Create(new { text }) },
            HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Sends a message and reads the whole event stream.</summary>
    public async Task<List<SseEvent>> SendAsync(string conversationId, string text)
    {
        using var res = await PostMessageAsync(conversationId, text);
        await EnsureAsync(res, HttpStatusCode.OK);
        return await ReadEventsAsync(await res.Content.ReadAsStreamAsync());
    }

    /// <summary>The stored messages of a conversation, oldest first.</summary>
    public async Task<JsonArray> MessagesAsync(string conversationId)
    {
        var res = await Http.GetAsync($"/v1/conversations/{conversationId}?limit=200");
        await EnsureAsync(res, HttpStatusCode.OK);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!["messages"]!.AsArray();
    }

    /// <summary>GETs JSON, expecting 200.</summary>
    public async Task<JsonNode> GetJsonAsync(string path)
    {
        var res = await Http.GetAsync(path);
        await EnsureAsync(res, HttpStatusCode.OK);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    /// <summary>Parses an SSE stream into events.</summary>
    public static async Task<List<SseEvent>> ReadEventsAsync(Stream stream)
    {
        var events = new List<SseEvent>();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add(new SseEvent(name ?? "message", JsonNode.Parse(line[6..])!));
        }
        return events;
    }

    /// <summary>Fails with the body when the status is not the expected one.</summary>
    public static async Task EnsureAsync(HttpResponseMessage res, HttpStatusCode expected)
    {
        if (res.StatusCode != expected)
            Assert.Fail($"Expected {(int)expected}, got {(int)res.StatusCode}: {await res.Content.ReadAsStringAsync()}");
    }

    /// <inheritdoc />
    public void Dispose() => Http.Dispose();

    private static HttpClient Create(string baseUrl, string? key)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(90) };
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}

/// <summary>Helpers over event lists.</summary>
public static class SseEventExtensions
{
    /// <summary>The delta texts in order.</summary>
    public static List<string> Deltas(this IEnumerable<SseEvent> events) =>
        events.Where(e => e.Name == "delta").Select(e => e.Data["text"]!.GetValue<string>()).ToList();

    /// <summary>One line per event, for failure messages.</summary>
    public static string Dump(this IEnumerable<SseEvent> events) => string.Join("\n", events.Select(e => $"{e.Name}: {e.Data.ToJsonString()}"));
}
