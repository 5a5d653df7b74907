using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using Conversations.Prompting.History;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;
using OpenAI.Chat;

namespace Conversations.Models.Chat;

/// <summary>Any OpenAI-compatible chat endpoint through Semantic Kernel's OpenAI connector, streaming.</summary>
internal sealed class SemanticKernelChatModel : IChatModel
{
    private readonly IChatCompletionService _service;

    /// <summary>
    /// Creates the model client for one endpoint and model id. <paramref name="http"/> carries the calls when given (the
    /// guarded client for tenants' endpoints); otherwise the SDK's shared client does.
    /// </summary>
    public SemanticKernelChatModel(string endpoint, string modelId, string? apiKey, TimeSpan networkTimeout, bool sendPromptCacheKey = false,
        HttpClient? http = null)
    {
        Name = modelId;
        Endpoint = new Uri(endpoint);
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint),
            // The turn owns retries and fallback (it knows whether text already reached the user); the SDK must not retry.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = networkTimeout,
        };
        if (http is not null) options.Transport = new HttpClientPipelineTransport(http);
        if (sendPromptCacheKey) options.AddPolicy(new PromptCacheKeyPolicy(), PipelinePosition.PerCall);
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "none" : apiKey), options);
        _service = new OpenAIChatCompletionService(modelId, client);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Uri? Endpoint { get; }

    private static int LastUserIndex(IReadOnlyList<Prompting.Layout.PromptMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
            if (messages[i].Role == ChatRoles.User) return i;
        return -1;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ModelUpdate> StreamAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var history = new ChatHistory();
        var imagesAt = (request.Images ?? []).GroupBy(i => i.MessageIndex >= 0 ? i.MessageIndex : LastUserIndex(request.Messages))
            .ToDictionary(g => g.Key, g => g.ToList());
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var line = request.Messages[i];
            var role = line.Role switch
            {
                ChatRoles.System => AuthorRole.System,
                ChatRoles.Assistant => AuthorRole.Assistant,
                _ => AuthorRole.User,
            };
            if (!imagesAt.TryGetValue(i, out var images))
            {
                history.AddMessage(role, line.Content);
                continue;
            }
            // A question with its images: the connector writes OpenAI's content parts (text, then image_url data URLs).
            // An image sent alone has no text part: some endpoints refuse an empty one.
            var items = new ChatMessageContentItemCollection();
            if (line.Content.Length > 0) items.Add(new TextContent(line.Content));
            foreach (var image in images) items.Add(new ImageContent(image.Data, image.MediaType));
            history.AddMessage(role, items);
        }
        var settings = new OpenAIPromptExecutionSettings
        {
            MaxTokens = request.MaxOutputTokens,
            // A stable `user` per conversation keeps repeats on the same provider cache shard (and becomes
            // `prompt_cache_key` too when the endpoint takes it; see PromptCacheKeyPolicy).
            User = request.CacheKey,
        };
        var finished = false;
        await foreach (var chunk in _service.GetStreamingChatMessageContentsAsync(history, settings, kernel: null, cancellationToken))
        {
            if (!string.IsNullOrEmpty(chunk.Content)) yield return new ModelUpdate(chunk.Content);
            // The connector names the reason as the SDK's enum ("Stop", "Length", …); the turn needs "length" (the output cap was hit).
            if (chunk.Metadata is not null && chunk.Metadata.TryGetValue("FinishReason", out var f) && f?.ToString() is { Length: > 0 } reason)
            {
                finished = true;
                yield return new ModelUpdate(null, null, reason.ToLowerInvariant());
            }
            if (chunk.Metadata is not null && chunk.Metadata.TryGetValue("Usage", out var u) && u is ChatTokenUsage usage)
            {
                yield return new ModelUpdate(null, new ModelUsage(
                    usage.InputTokenCount, usage.InputTokenDetails?.CachedTokenCount ?? 0, usage.OutputTokenCount));
            }
        }
        // As the direct reader: a connection closed before the last choice's finish reason is a cut answer, not a whole one.
        if (!finished) throw new HttpIOException(HttpRequestError.ResponseEnded, "The model's stream ended before a finish reason.");
    }
}
