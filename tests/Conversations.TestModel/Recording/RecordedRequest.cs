namespace Conversations.TestModel.Recording;

/// <summary>One chat-completion request as the test server received it, and what it answered.</summary>
public sealed class RecordedRequest
{
    /// <summary>Order of arrival, from 1.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the request arrived.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The requested model name.</summary>
    public required string Model { get; init; }

    /// <summary>The request's messages, text parts joined.</summary>
    public required IReadOnlyList<PromptMessage> Messages { get; init; }

    /// <summary>True when the client asked for a stream.</summary>
    public required bool Stream { get; init; }

    /// <summary>True when the client asked for a usage chunk at the end of the stream.</summary>
    public required bool IncludeUsage { get; init; }

    /// <summary>The request's <c>user</c> field.</summary>
    public string? User { get; init; }

    /// <summary>The request's <c>prompt_cache_key</c> field.</summary>
    public string? PromptCacheKey { get; init; }

    /// <summary>The request's <c>max_tokens</c> field.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The request's <c>max_completion_tokens</c> field.</summary>
    public int? MaxCompletionTokens { get; init; }

    /// <summary>The request's <c>temperature</c> field.</summary>
    public double? Temperature { get; init; }

    /// <summary>The request headers (names lower-case, repeated values joined by commas).</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The fault injected into this request, if any.</summary>
    [JsonInclude]
    public FaultKind? Fault { get; internal set; }

    /// <summary>HTTP status answered (200 also for streams that were later stalled or aborted).</summary>
    [JsonInclude]
    public int StatusCode { get; internal set; }

    /// <summary>Prompt tokens counted for this request (0 when it failed before counting).</summary>
    [JsonInclude]
    public int PromptTokens { get; internal set; }

    /// <summary>Cached prompt tokens reported for this request.</summary>
    [JsonInclude]
    public int CachedTokens { get; internal set; }

    /// <summary>Completion tokens sent (for a stall or abort, those sent before it).</summary>
    [JsonInclude]
    public int CompletionTokens { get; internal set; }

    /// <summary>True once the server finished with the request, whatever the outcome.</summary>
    [JsonInclude]
    public bool Completed { get; internal set; }

    /// <summary>When the server finished with the request; null while it runs.</summary>
    [JsonInclude]
    public DateTimeOffset? CompletedAt { get; internal set; }

    /// <summary>The content of the last user message, or an empty string.</summary>
    public string LastUserMessage => new AnswerContext(Model, Messages).LastUserMessage;
}
