using System.Net.Http.Headers;

namespace Conversations.Testing.Http;

/// <summary>A thin HTTP client of the /v1 API acting with one key.</summary>
public sealed class ApiClient(string baseUrl, string? key) : IDisposable
{
    /// <summary>The underlying client (for raw requests); many connections, so load tests are not queued in the client.</summary>
    public HttpClient Http { get; } = CreateHttp(baseUrl, key);

    /// <summary>Creates a tenant with the operator key; returns the admin key.</summary>
    public async Task<string> CreateTenantAsync(string tenantId)
    {
        var res = await Http.PostAsJsonAsync("/v1/tenants", new { tenantId, name = tenantId });
        await EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!["adminKey"]!.GetValue<string>();
    }

    /// <summary>Creates a user with the admin key and issues a key for them.</summary>
    public async Task<string> CreateUserWithKeyAsync(string userId, string role = "user")
    {
        await EnsureAsync(await Http.PostAsJsonAsync("/v1/users", new { userId, role }), HttpStatusCode.Created);
        var res = await Http.PostAsync($"/v1/users/{userId}/keys", null);
        await EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
    }

    /// <summary>Creates a conversation; returns its id.</summary>
    public async Task<string> CreateConversationAsync(string title = "test")
    {
        var res = await Http.PostAsJsonAsync("/v1/conversations", new { title });
        await EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!["conversationId"]!.GetValue<string>();
    }

    /// <summary>Posts a message and returns the raw response (headers read, body not yet).</summary>
    public Task<HttpResponseMessage> PostMessageAsync(string conversationId, string text, CancellationToken ct = default) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{conversationId}/messages") { Content = JsonContent.Create(new { text }) },
            HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>Sends a message and reads the whole event stream.</summary>
    public async Task<List<SseEvent>> SendAsync(string conversationId, string text, CancellationToken ct = default)
    {
        using var res = await PostMessageAsync(conversationId, text, ct);
        await EnsureAsync(res, HttpStatusCode.OK);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        return await ReadEventsAsync(await res.Content.ReadAsStreamAsync(ct), ct);
    }

    /// <summary>The conversation with one page of history.</summary>
    public Task<JsonNode> GetConversationAsync(string conversationId, int limit = 200) =>
        GetJsonAsync($"/v1/conversations/{conversationId}?limit={limit}");

    /// <summary>The stored messages of a conversation, oldest first.</summary>
    public async Task<JsonArray> MessagesAsync(string conversationId) =>
        (await GetConversationAsync(conversationId))["messages"]!.AsArray();

    /// <summary>GETs JSON, expecting 200.</summary>
    public async Task<JsonNode> GetJsonAsync(string path)
    {
        var res = await Http.GetAsync(path);
        await EnsureAsync(res, HttpStatusCode.OK);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    /// <summary>Parses an SSE stream into events.</summary>
    public static async Task<List<SseEvent>> ReadEventsAsync(Stream stream, CancellationToken ct = default)
    {
        var events = new List<SseEvent>();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? name = null;
        while (await reader.ReadLineAsync(ct) is { } line)
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

    /// <summary>Reads a problem-details body and checks its shape and status.</summary>
    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage res, HttpStatusCode expected)
    {
        Assert.Equal(expected, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
        Assert.Equal((int)expected, body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(body["detail"]?.GetValue<string>()), "problem details must say what to do");
        return body;
    }

    /// <inheritdoc />
    public void Dispose() => Http.Dispose();

    private static HttpClient CreateHttp(string baseUrl, string? key)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(90) };
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
