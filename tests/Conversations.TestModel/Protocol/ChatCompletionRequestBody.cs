namespace Conversations.TestModel.Protocol;

/// <summary>The fields of an OpenAI chat-completion request the test server reads; others are ignored.</summary>
internal sealed class ChatCompletionRequestBody
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("messages")]
    public List<MessageBody>? Messages { get; set; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; set; }

    [JsonPropertyName("stream_options")]
    public StreamOptionsBody? StreamOptions { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }

    [JsonPropertyName("prompt_cache_key")]
    public string? PromptCacheKey { get; set; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("max_completion_tokens")]
    public int? MaxCompletionTokens { get; set; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }
}

/// <summary>One request message: its role and its content (a string, or text parts joined and image parts' URLs).</summary>
internal sealed class MessageBody
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content"), JsonConverter(typeof(MessageContentJsonConverter))]
    public MessageContent? Content { get; set; }
}

/// <summary>The request's <c>stream_options</c>.</summary>
internal sealed class StreamOptionsBody
{
    [JsonPropertyName("include_usage")]
    public bool? IncludeUsage { get; set; }
}
