using System.Net.Http.Headers;

namespace Conversations.Testing.Http;

/// <summary>A thin HTTP client of the /v1 API acting with one key.</summary>
public sealed class ApiClient(string baseUrl, string? key) : IDisposable
{
    /// <summary>The key the client acts with, for tests about keys (their ids, listings, revocation).</summary>
    public string Key => key ?? throw new InvalidOperationException("An anonymous client has no key.");

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
    public async Task<string> CreateConversationAsync(string title = "test", CancellationToken ct = default)
    {
        var res = await Http.PostAsJsonAsync("/v1/conversations", new { title }, ct);
        await EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>(ct))!["conversationId"]!.GetValue<string>();
    }

    /// <summary>How many times <see cref="SendAsync(string, string, CancellationToken)"/> reconnects to a cut stream.</summary>
    public int MaxResumes { get; init; } = 5;

    /// <summary>Posts a message (with a client-chosen turn id when given) and returns the raw response (headers read, body not yet).</summary>
    public Task<HttpResponseMessage> PostMessageAsync(string conversationId, string text, CancellationToken ct = default, string? turnId = null) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{conversationId}/messages")
        {
            Content = JsonContent.Create(turnId is null ? new { text } : (object)new { text, turnId }),
        }, HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>Sends a message and reads the whole event stream, resuming by itself when the stream is cut.</summary>
    public Task<List<SseEvent>> SendAsync(string conversationId, string text, CancellationToken ct = default) => SendAsync(conversationId, text, null, ct);

    /// <summary>Sends a message as turn <paramref name="turnId"/> (a new id when null) and reads the whole event stream, resuming after a cut.</summary>
    public async Task<List<SseEvent>> SendAsync(string conversationId, string text, string? turnId, CancellationToken ct = default)
    {
        using var res = await PostMessageAsync(conversationId, text, ct, turnId);
        await EnsureAsync(res, HttpStatusCode.OK);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        var turn = res.Headers.TryGetValues("Turn-Id", out var ids) ? ids.First() : turnId;
        var events = await ReadEventsAsync(await res.Content.ReadAsStreamAsync(ct), ct, tolerateCut: turn is not null);
        return turn is null ? events : await ResumeUntilEndAsync(conversationId, turn, events, ct);
    }

    /// <summary>GETs a turn's events after <paramref name="lastEventId"/> (all when null); returns the raw response.</summary>
    public Task<HttpResponseMessage> GetTurnEventsAsync(string conversationId, string turnId, string? lastEventId, CancellationToken ct = default)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, $"/v1/conversations/{conversationId}/turns/{turnId}/events");
        if (lastEventId is not null) req.Headers.Add("Last-Event-ID", lastEventId);
        return Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>
    /// Reads the rest of a turn after the events a client already has, as a client does after a cut: reconnects with
    /// Last-Event-ID until the turn's final event, at most <see cref="MaxResumes"/> times, backing off between tries.
    /// </summary>
    public async Task<List<SseEvent>> ResumeUntilEndAsync(string conversationId, string turnId, List<SseEvent> seen, CancellationToken ct = default)
    {
        var events = new List<SseEvent>(seen);
        for (var attempt = 0; !Ended(events) && attempt < MaxResumes; attempt++)
        {
            if (attempt > 0) await Task.Delay(TimeSpan.FromMilliseconds(200 * (1 << attempt)), ct);
            if (events.Count > 0 && events[^1].Data["code"]?.GetValue<string>() == "stream_failed") events.RemoveAt(events.Count - 1);
            try
            {
                using var res = await GetTurnEventsAsync(conversationId, turnId, events.LastOrDefault(e => e.Id is not null)?.Id, ct);
                if (res.StatusCode != HttpStatusCode.OK) continue;
                events.AddRange(await ReadEventsAsync(await res.Content.ReadAsStreamAsync(ct), ct, tolerateCut: true));
            }
            catch (HttpRequestException) when (attempt < MaxResumes - 1)
            {
                // The host is unreachable for now: back off and try again.
            }
        }
        return events;
    }

    // A turn's stream ended when its last event is done or an error other than a broken stream.
    private static bool Ended(List<SseEvent> events) => events.Count > 0
        && (events[^1].Name == "done" || (events[^1].Name == "error" && events[^1].Data["code"]?.GetValue<string>() != "stream_failed"));

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

    /// <summary>Parses an SSE stream into events; with <paramref name="tolerateCut"/>, a connection cut mid-stream ends the list instead of throwing.</summary>
    public static async Task<List<SseEvent>> ReadEventsAsync(Stream stream, CancellationToken ct = default, bool tolerateCut = false)
    {
        var events = new List<SseEvent>();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? name = null, id = null, data = null;
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null) events.Add(new SseEvent(name ?? "message", JsonNode.Parse(data)!, id));
                    (name, id, data) = (null, null, null);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = data is null ? line[6..] : data + "\n" + line[6..];
            }
        }
        catch (Exception e) when (tolerateCut && e is IOException or HttpRequestException)
        {
            return events; // the connection was cut: what arrived whole counts, the caller resumes after it
        }
        if (data is not null) events.Add(new SseEvent(name ?? "message", JsonNode.Parse(data)!, id));
        return events;
    }

    /// <summary>The public id of an API key (<c>cvk_{id}_{secret}</c>), as key listings and the audit log name it.</summary>
    public static string KeyId(string key) => key["cvk_".Length..key.LastIndexOf('_')];

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
