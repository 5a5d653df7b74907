using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;

namespace Conversations.TestModel.Tests.Clients;

/// <summary>The server driven through the official OpenAI .NET client (the one Semantic Kernel wraps).</summary>
public sealed class OpenAIClientTests
{
    [Fact]
    public async Task Streaming_updates_and_usage_arrive()
    {
        // Proves: the official client parses every chunk, the finish reason and the usage chunk.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions { Default = new ModelBehavior { AnswerTokens = 8 } });
        var chat = Client(server).GetChatClient("small");

        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Name three colors")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.StartsWith("small answers: Name three colors", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(8, usage!.OutputTokenCount);
        Assert.True(usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task Error_status_becomes_a_client_result_exception()
    {
        // Proves: an injected 503 reaches the official client as ClientResultException with status 503.
        await using var server = await TestModelServer.StartAsync();
        server.Control.FailAlways("large", 503);
        var chat = Client(server).GetChatClient("large");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(503, error.Status);
    }

    [Fact]
    public async Task Embeddings_are_deterministic_unit_vectors()
    {
        // Proves: the official embedding client (base64 on the wire) gets the configured dimension, unit length, repeatable values.
        await using var server = await TestModelServer.StartAsync();
        var embeddings = Client(server).GetEmbeddingClient("embed");

        var first = (await embeddings.GenerateEmbeddingAsync("refund policy for damaged goods")).Value.ToFloats().ToArray();
        var again = (await embeddings.GenerateEmbeddingAsync("refund policy for damaged goods")).Value.ToFloats().ToArray();

        Assert.Equal(TestModelOptions.DefaultEmbeddingDimensions, first.Length);
        Assert.Equal(first, again);
        Assert.Equal(1.0, Math.Sqrt(first.Sum(value => (double)value * value)), 4);
        Assert.Equal(1, server.Counters.EmbeddingRequests - 1);
    }

    private static OpenAIClient Client(TestModelServer server) =>
        new(new ApiKeyCredential("test-key"), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.BaseUrl),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
}
