namespace Conversations.TestModel.Protocol;

/// <summary>The fields of an OpenAI chat-completion request the test server reads; others are ignored.</summary>
internal sealed class ChatCompletionRequestBody
{
    public string? Model { get; set; }
    public List<MessageBody>? Messages { get; set; }
    public bool? Stream { get; set; }
    public StreamOptionsBody? StreamOptions { get; set; }
    public string? User { get; set; }
    public string? PromptCacheKey { get; set; }
    public int? MaxTokens { get; set; }
    public int? MaxCompletionTokens { get; set; }
    public double? Temperature { get; set; }
}

/// <summary>One request message: its role and its content (a string, or text parts joined and image parts' URLs).</summary>
internal sealed class MessageBody
{
    public string? Role { get; set; }

    [JsonConverter(typeof(MessageContentJsonConverter))]
    public MessageContent? Content { get; set; }
}

/// <summary>The request's <c>stream_options</c>.</summary>
internal sealed class StreamOptionsBody
{
    public bool? IncludeUsage { get; set; }
}
