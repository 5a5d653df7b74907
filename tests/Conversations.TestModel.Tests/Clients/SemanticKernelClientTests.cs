using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Conversations.TestModel.Tests.Clients;

/// <summary>The server driven through Semantic Kernel's OpenAI connector with a custom endpoint, as the platform calls models.</summary>
public sealed class SemanticKernelClientTests
{
    private static readonly TestModelOptions SmallBlocks = ChatHttp.SmallCacheBlocks(minimumTokens: 16);

    [Fact]
    public async Task Streaming_deltas_and_usage_with_cached_tokens_arrive()
    {
        // Proves: SK receives the streamed deltas in order, and usage metadata whose cached tokens grow on a repeated long prefix.
        await using var server = await TestModelServer.StartAsync(SmallBlocks with { Default = new ModelBehavior { AnswerTokens = 12 } });
        var chat = new OpenAIChatCompletionService("small", new Uri(server.BaseUrl), apiKey: "test-key");
        var history = new ChatHistory(ChatHttp.LongText(15));
        history.AddUserMessage("How should item 7 be handled?");

        var (first, firstUsage) = await StreamAsync(chat, history);
        history.AddAssistantMessage(first);
        history.AddUserMessage("And item 14?");
        var (_, secondUsage) = await StreamAsync(chat, history);

        Assert.StartsWith("small answers: How should item 7", first);
        Assert.Equal(12, firstUsage.OutputTokenCount);
        Assert.Equal(0, firstUsage.InputTokenDetails?.CachedTokenCount ?? 0);
        Assert.True(secondUsage.InputTokenDetails!.CachedTokenCount >= firstUsage.InputTokenCount - 16, $"cached {secondUsage.InputTokenDetails.CachedTokenCount} of {firstUsage.InputTokenCount}");
        Assert.Equal(0, secondUsage.InputTokenDetails.CachedTokenCount % 16);
        Assert.True(server.Requests[0].IncludeUsage);
    }

    [Fact]
    public async Task Injected_500_surfaces_as_an_exception()
    {
        // Proves: an injected server error reaches SK's caller as an HttpOperationException with the status.
        await using var server = await TestModelServer.StartAsync();
        server.Control.FailAlways("large", 500);
        var chat = new OpenAIChatCompletionService("large", new Uri(server.BaseUrl), apiKey: "test-key");
        var history = new ChatHistory();
        history.AddUserMessage("hi");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => chat.GetChatMessageContentAsync(history));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.True(server.Counters.ForModel("large").Faults >= 1);
    }

    [Fact]
    public async Task Stall_mid_stream_is_detectable_with_a_stall_timer()
    {
        // Proves: a stream that stops after some tokens leaves an SK consumer waiting, so a per-update timer cancels it.
        await using var server = await TestModelServer.StartAsync();
        server.Control.SetFault("large", FaultRule.Stall(afterTokens: 4));
        var chat = new OpenAIChatCompletionService("large", new Uri(server.BaseUrl), apiKey: "test-key");
        var history = new ChatHistory();
        history.AddUserMessage("hi");
        // The first update may take long on a loaded machine (connection, first token); the stall timer starts with it.
        using var stallTimer = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in chat.GetStreamingChatMessageContentsAsync(history, cancellationToken: stallTimer.Token))
            {
                if (!string.IsNullOrEmpty(update.Content))
                {
                    received.Add(update.Content);
                }

                // Far above the gap between tokens even on a loaded machine; the stall itself never ends.
                stallTimer.CancelAfter(TimeSpan.FromSeconds(2));
            }
        });

        Assert.Equal(4, received.Count);
    }

    [Fact]
    public async Task Each_model_answers_by_its_own_behaviour()
    {
        // Proves: SK services for different model names on one server get each model's own answer.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions
        {
            Models = new Dictionary<string, ModelBehavior>
            {
                ["small"] = new() { ScriptedAnswer = "short answer" },
                ["math"] = new() { ScriptedAnswer = "x = 42" },
            },
        });
        var history = new ChatHistory();
        history.AddUserMessage("solve it");

        var small = await new OpenAIChatCompletionService("small", new Uri(server.BaseUrl), "k").GetChatMessageContentAsync(history);
        var math = await new OpenAIChatCompletionService("math", new Uri(server.BaseUrl), "k").GetChatMessageContentAsync(history);

        Assert.Equal("short answer", small.Content);
        Assert.Equal("x = 42", math.Content);
        Assert.Equal(["small", "math"], server.Requests.Select(request => request.Model));
    }

    private static async Task<(string Text, ChatTokenUsage Usage)> StreamAsync(IChatCompletionService chat, ChatHistory history)
    {
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.GetStreamingChatMessageContentsAsync(history))
        {
            text.Append(update.Content);
            if (update.Metadata?.TryGetValue("Usage", out var value) == true && value is ChatTokenUsage found)
            {
                usage = found;
            }
        }

        return (text.ToString(), usage ?? throw new Xunit.Sdk.XunitException("no usage in the stream"));
    }
}
