namespace Conversations.TestModel.Tests.Http;

/// <summary>The wire shape of streaming and non-streaming answers, read with a plain HttpClient.</summary>
public sealed class StreamingShapeTests
{
    [Fact]
    public async Task Stream_has_role_first_finish_reason_then_usage_and_done()
    {
        // Proves: the SSE stream follows OpenAI's chunk order and the usage chunk has empty choices and full usage.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions { Default = new ModelBehavior { AnswerTokens = 10 } });
        using var http = new HttpClient();

        using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body("small", "What is the capital of France?", stream: true, includeUsage: true));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var (chunks, done) = ChatHttp.ParseEvents(await response.Content.ReadAsStringAsync());
        Assert.True(done);
        Assert.All(chunks, chunk => Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(10, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 10, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.StartsWith("small answers: What is the capital", ChatHttp.JoinDeltas(chunks));
        Assert.Equal(10, chunks.Count(chunk => chunk.GetProperty("choices").GetArrayLength() > 0
            && chunk.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out _)));
    }

    [Fact]
    public async Task Stream_without_include_usage_has_no_usage_chunk()
    {
        // Proves: usage is sent only when stream_options.include_usage asks for it.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();

        using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hello", stream: true));

        var (chunks, done) = ChatHttp.ParseEvents(await response.Content.ReadAsStringAsync());
        Assert.True(done);
        Assert.DoesNotContain(chunks, chunk => chunk.TryGetProperty("usage", out _));
    }

    [Fact]
    public async Task Non_streaming_answer_is_a_chat_completion_with_usage_and_length_limit()
    {
        // Proves: max_tokens cuts the answer with finish_reason "length" and usage counts the tokens sent.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        var body = ChatHttp.Body("m", "Tell me about tokens please");
        body["max_tokens"] = 4;

        using var response = await ChatHttp.PostAsync(http, server, body);

        response.EnsureSuccessStatusCode();
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        var choice = root.GetProperty("choices")[0];
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("m answers: Tell me", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(4, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Content_given_as_parts_is_read_as_text()
    {
        // Proves: array-of-parts content (as some SDKs send) is joined into the message text.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions { Default = new ModelBehavior { Echo = true } });
        using var http = new HttpClient();
        var content = new StringContent(
            """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"one "},{"type":"text","text":"two"}]}]}""",
            System.Text.Encoding.UTF8,
            "application/json");

        using var response = await http.PostAsync(server.BaseUrl + "/chat/completions", content);

        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("one two", root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Models_endpoint_lists_configured_models()
    {
        // Proves: GET /v1/models lists the model names that have their own behaviour.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions
        {
            Models = new Dictionary<string, ModelBehavior> { ["small"] = new(), ["large"] = new() },
        });
        using var http = new HttpClient();

        var root = JsonDocument.Parse(await http.GetStringAsync(server.BaseUrl + "/models")).RootElement;

        var ids = root.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()).ToList();
        Assert.Equal(["large", "small"], ids);
    }
}
