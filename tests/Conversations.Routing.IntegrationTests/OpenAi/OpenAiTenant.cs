namespace Conversations.Routing.IntegrationTests.OpenAi;

/// <summary>A tenant set up for the OpenAI-compatible routes: routed to the test models, a knowledge base to cite, a long cacheable prefix.</summary>
internal static class OpenAiTenant
{
    /// <summary>A question the knowledge base answers (document "leave").</summary>
    public const string Question = "What is the parental leave policy?";

    /// <summary>The header that names and returns the conversation.</summary>
    public const string ConversationHeader = "X-Conversation-Id";

    /// <summary>
    /// A new tenant whose routing policy sends turns to the test models (no caches or canned replies), whose
    /// instructions pass the provider's 1,024-token caching minimum, and whose user alice may read a leave policy.
    /// </summary>
    public static async Task<TestTenant> NewAsync(RoutingPlatform fx, object? policy = null)
    {
        var t = await fx.NewTenantAsync();
        await t.Admin.PatchSettingsAsync(new { instructions = string.Join("\n", Enumerable.Range(0, 60).Select(i => $"Rule {i}: answer politely, cite the handbook and keep the tone friendly.")) });
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }));
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }));
        await Ensure(await t.Admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "leave", title = "Leave policy", label = "public", content = "Parental leave is sixteen weeks at full pay for every employee." } },
        }));
        await t.SetPolicyAsync(policy ?? new { smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false });
        return t;
    }

    /// <summary>Makes both of the tenant's models (small and large) behave as <paramref name="behavior"/> at the test server.</summary>
    public static void SetModels(RoutingPlatform fx, TestTenant t, ModelBehavior behavior)
    {
        foreach (var model in new[] { "small", "large" }) fx.Model.Control.SetModel(t.ServerName(model), behavior);
    }

    /// <summary>A model slow to its first token: under the platform's 2.5 s first-token timeout, several heartbeat intervals long.</summary>
    public static readonly ModelBehavior SlowFirstToken = new() { TimeToFirstToken = TimeSpan.FromSeconds(1.1), TimePerToken = TimeSpan.FromMilliseconds(2) };

    /// <summary>The key of the tenant's user alice.</summary>
    public static string UserKey(TestTenant t) => t.User.Http.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>POSTs a chat completion body (headers read, body not yet), optionally continuing a conversation.</summary>
    public static Task<HttpResponseMessage> PostAsync(ApiClient client, object body, string? conversationId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        if (conversationId is not null) request.Headers.Add(ConversationHeader, conversationId);
        return client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>A body with one user message.</summary>
    public static object Ask(string question, bool stream = false, object? streamOptions = null, string model = "auto") => streamOptions is null
        ? new { model, messages = new[] { new { role = "user", content = question } }, stream }
        : new { model, messages = new[] { new { role = "user", content = question } }, stream, stream_options = streamOptions };

    /// <summary>A non-streamed completion, expecting 200; returns it with the conversation it ran in.</summary>
    public static async Task<(JsonNode Completion, string ConversationId)> CompleteAsync(ApiClient client, object body, string? conversationId = null)
    {
        using var res = await PostAsync(client, body, conversationId);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        return (JsonNode.Parse(await res.Content.ReadAsStringAsync())!, res.Headers.GetValues(ConversationHeader).Single());
    }

    /// <summary>The <c>data:</c> payloads of an SSE response, in order (<c>[DONE]</c> included as the raw string); comment lines are skipped.</summary>
    public static async Task<List<string>> DataLinesAsync(HttpResponseMessage res) =>
        (await LinesAsync(res)).Where(l => !l.Line.StartsWith(':')).Select(l => l.Line[6..]).ToList();

    /// <summary>
    /// The non-empty lines of an SSE response with when each arrived: <c>data:</c> lines and comment lines (<c>:</c>),
    /// nothing else.
    /// </summary>
    public static async Task<List<(string Line, TimeSpan At)>> LinesAsync(HttpResponseMessage res, System.Diagnostics.Stopwatch? clock = null)
    {
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        clock ??= System.Diagnostics.Stopwatch.StartNew();
        var lines = new List<(string, TimeSpan)>();
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(), Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) || line.StartsWith(':')) lines.Add((line, clock.Elapsed));
            else Assert.True(line.Length == 0, $"unexpected SSE line: {line}");
        }
        return lines;
    }

    /// <summary>The stored messages of the conversation (the API's native view).</summary>
    public static Task<JsonArray> HistoryAsync(ApiClient client, string conversationId) => client.MessagesAsync(conversationId);

    /// <summary>Reads OpenAI's error shape and checks it; returns the error object.</summary>
    public static async Task<JsonNode> ErrorAsync(HttpResponseMessage res, HttpStatusCode status)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == status, $"expected {(int)status}, got {(int)res.StatusCode}: {text}");
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(text)!["error"];
        Assert.NotNull(error);
        Assert.False(string.IsNullOrWhiteSpace(error!["message"]?.GetValue<string>()), text);
        Assert.False(string.IsNullOrWhiteSpace(error["type"]?.GetValue<string>()), text);
        Assert.True(error.AsObject().ContainsKey("param") && error.AsObject().ContainsKey("code"), $"param and code must be present: {text}");
        return error;
    }

    private static async Task Ensure(HttpResponseMessage res)
    {
        if (!res.IsSuccessStatusCode) Assert.Fail($"{(int)res.StatusCode}: {await res.Content.ReadAsStringAsync()}");
    }
}
