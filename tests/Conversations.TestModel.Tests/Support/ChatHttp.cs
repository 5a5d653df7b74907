using System.Text;
using System.Text.Json.Nodes;

namespace Conversations.TestModel.Tests.Support;

/// <summary>Plain-HTTP helpers: build chat requests and read server-sent events.</summary>
internal static class ChatHttp
{
    /// <summary>A chat request body with one user message.</summary>
    public static JsonObject Body(string model, string question, bool stream = false, bool includeUsage = false) =>
        Body(model, [("user", question)], stream, includeUsage);

    /// <summary>A chat request body with the given messages.</summary>
    public static JsonObject Body(string model, IEnumerable<(string Role, string Content)> messages, bool stream = false, bool includeUsage = false)
    {
        var list = new JsonArray();
        foreach (var (role, content) in messages)
        {
            list.Add(new JsonObject { ["role"] = role, ["content"] = content });
        }

        var body = new JsonObject { ["model"] = model, ["messages"] = list, ["stream"] = stream };
        if (includeUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    /// <summary>Posts a chat request to the server.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient http, TestModelServer server, JsonObject body, CancellationToken cancellationToken = default) =>
        http.PostAsJsonAsync(server.BaseUrl + "/chat/completions", body, cancellationToken);

    /// <summary>Posts <paramref name="json"/> as it is (malformed on purpose, say) as a chat request.</summary>
    public static Task<HttpResponseMessage> PostRawAsync(HttpClient http, TestModelServer server, string json) =>
        http.PostAsync(server.BaseUrl + "/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Server options with a prompt cache of 16-token blocks from <paramref name="minimumTokens"/> on, so short prompts can hit it.</summary>
    public static TestModelOptions SmallCacheBlocks(int minimumTokens) =>
        new() { PromptCache = new PromptCacheOptions { MinimumTokens = minimumTokens, BlockTokens = 16 } };

    /// <summary>Posts a chat request and returns once the headers arrive, so the body can be read as the server streams it.</summary>
    public static Task<HttpResponseMessage> OpenAsync(HttpClient http, TestModelServer server, JsonObject body) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/chat/completions") { Content = JsonContent.Create(body) },
            HttpCompletionOption.ResponseHeadersRead);

    /// <summary>The JSON payloads of a complete event stream, and whether it ended with [DONE].</summary>
    public static (List<JsonElement> Chunks, bool Done) ParseEvents(string text)
    {
        var chunks = new List<JsonElement>();
        var done = false;
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.StartsWith("data: ", block);
            var payload = block["data: ".Length..];
            if (payload == "[DONE]")
            {
                done = true;
                continue;
            }

            chunks.Add(JsonDocument.Parse(payload).RootElement.Clone());
        }

        return (chunks, done);
    }

    /// <summary>The content deltas of stream chunks, joined.</summary>
    public static string JoinDeltas(IEnumerable<JsonElement> chunks) =>
        string.Concat(chunks
            .Where(chunk => chunk.GetProperty("choices").GetArrayLength() > 0)
            .Select(chunk => chunk.GetProperty("choices")[0].GetProperty("delta"))
            .Where(delta => delta.TryGetProperty("content", out _))
            .Select(delta => delta.GetProperty("content").GetString()));

    /// <summary>A long text of distinct sentences, to make prompts past the cache minimum.</summary>
    public static string LongText(int sentences, string seed = "policy") =>
        string.Join(' ', Enumerable.Range(0, sentences).Select(i => $"Rule {i} of the {seed} says that item {i * 7} must be handled with care."));
}
