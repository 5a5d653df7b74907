using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Conversations.Routing.IntegrationTests.OpenAi;

/// <summary>The official OpenAI clients (the .NET package and the npm package) against the running platform.</summary>
public sealed class OfficialClientTests(RoutingPlatform fx) : RoutingPlatformTests
{
    private ChatClient Client(TestTenant t, string model = "auto") =>
        new(model, new ApiKeyCredential(UserKey(t)), new OpenAIClientOptions { Endpoint = new Uri($"{fx.BaseUrl}/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    [Fact(DisplayName = "OpenAI .NET client, not streamed: the answer text, usage with cached tokens, and the citations in the raw response")]
    public async Task Dotnet_client_completes()
    {
        using var t = await NewAsync(fx);
        var chat = Client(t);
        await chat.CompleteChatAsync([new UserChatMessage(Question)]); // warms the provider's prefix cache

        ClientResult<ChatCompletion> result = await chat.CompleteChatAsync([new UserChatMessage(Question)]);
        var completion = result.Value;
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.True(completion.Usage.InputTokenDetails.CachedTokenCount > 0, $"cached {completion.Usage.InputTokenDetails.CachedTokenCount}");
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);

        var raw = result.GetRawResponse();
        var conversationId = raw.Headers.TryGetValue(ConversationHeader, out var id) ? id : null;
        Assert.NotNull(conversationId);
        var citations = JsonNode.Parse(raw.Content.ToString())!["citations"]!.AsArray();
        Assert.Contains(citations, c => c!["document_id"]!.GetValue<string>() == "leave");
        Assert.Equal(completion.Content[0].Text, (await HistoryAsync(t.User, conversationId!))[^1]!["content"]!.GetValue<string>());
    }

    [Fact(DisplayName = "OpenAI .NET client, streamed: the role, the text, finish reason Stop and usage with cached tokens")]
    public async Task Dotnet_client_streams()
    {
        using var t = await NewAsync(fx);
        var chat = Client(t);
        await chat.CompleteChatAsync([new UserChatMessage(Question)]);

        var text = new StringBuilder();
        ChatMessageRole? role = null;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        // The .NET client asks for include_usage on every stream.
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(Question)]))
        {
            role ??= update.Role;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal(ChatMessageRole.Assistant, role);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.StartsWith("small", text.ToString()); // the test model's answers start with its name
        Assert.NotNull(usage);
        Assert.True(usage!.OutputTokenCount > 0);
        Assert.True(usage.InputTokenDetails.CachedTokenCount > 0, $"cached {usage.InputTokenDetails.CachedTokenCount}");
    }

    [Fact(DisplayName = "OpenAI .NET client, streamed from a slow model: the keep-alive comments before the first token are skipped and the answer is whole")]
    public async Task Dotnet_client_streams_through_keep_alives()
    {
        using var t = await NewAsync(fx);
        // Slow enough for a few keep-alives (every 0.25 s), and well inside the 2.5 s first-token timeout even on a busy
        // host (at 1.1 s a loaded CI host once missed it, and the fallback answered).
        SetModels(fx, t, SlowFirstToken with { TimeToFirstToken = TimeSpan.FromSeconds(0.8) });

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        var updates = 0;
        await foreach (var update in Client(t).CompleteChatStreamingAsync([new UserChatMessage(Question)]))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.StartsWith("small", text.ToString());
        Assert.True(updates > 2, $"{updates} updates");
    }

    [Fact(DisplayName = "openai npm client: completes, streams with usage (cached tokens) and citations, continues the conversation, lists models, raises NotFoundError")]
    public async Task Node_client_completes_and_streams()
    {
        using var t = await NewAsync(fx);
        using (var warm = await PostAsync(t.User, Ask(Question))) await ApiClient.EnsureAsync(warm, HttpStatusCode.OK);

        var folder = await NodeTools.FolderAsync("openai-node", "openai/package.json");
        var output = await NodeTools.RunAsync("node", "check.mjs", folder, new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = $"{fx.BaseUrl}/v1",
            ["OPENAI_API_KEY"] = UserKey(t),
            ["QUESTION"] = Question,
        });
        var seen = JsonNode.Parse(output.Trim().Split('\n')[^1])!;

        var plain = seen["plain"]!;
        Assert.Equal(("chat.completion", "stop"), (plain["object"]!.GetValue<string>(), plain["finishReason"]!.GetValue<string>()));
        Assert.StartsWith("small", plain["content"]!.GetValue<string>());
        Assert.True(plain["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>() > 0, plain.ToJsonString());
        Assert.Contains(plain["citations"]!.AsArray(), c => c!["document_id"]!.GetValue<string>() == "leave");

        var streamed = seen["streamed"]!;
        Assert.Equal(("assistant", "stop"), (streamed["role"]!.GetValue<string>(), streamed["finishReason"]!.GetValue<string>()));
        Assert.Equal(0, streamed["usageChunkChoices"]!.GetValue<int>());
        Assert.True(streamed["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>() > 0, streamed.ToJsonString());
        Assert.Contains(streamed["citations"]!.AsArray(), c => c!["document_id"]!.GetValue<string>() == "leave");

        // The streamed turn continued the conversation the first one created.
        var history = await HistoryAsync(t.User, seen["conversationId"]!.GetValue<string>());
        Assert.Equal(4, history.Count);
        Assert.Equal(streamed["text"]!.GetValue<string>(), history[3]!["content"]!.GetValue<string>());

        Assert.Equal(("NotFoundError", 404, "model_not_found"),
            (seen["notFound"]!["name"]!.GetValue<string>(), seen["notFound"]!["status"]!.GetValue<int>(), seen["notFound"]!["code"]!.GetValue<string>()));
        Assert.Equal(["auto", "small", "large"], seen["modelIds"]!.AsArray().Select(m => m!.GetValue<string>()));
    }
}
