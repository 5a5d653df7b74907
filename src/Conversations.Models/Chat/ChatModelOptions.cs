namespace Conversations.Models.Chat;

/// <summary>Configuration section <c>Models:Chat</c>: an OpenAI-compatible endpoint, or nothing for the extractive responder.</summary>
public sealed class ChatModelOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Models:Chat";

    /// <summary>Base URL including <c>/v1</c>, e.g. <c>https://dashscope.aliyuncs.com/compatible-mode/v1</c>; empty means no model.</summary>
    public string? Endpoint { get; set; }

    /// <summary>API key sent as a bearer token.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Model id, e.g. <c>qwen-plus</c>.</summary>
    public string? ModelId { get; set; }

    /// <summary>Longest wait for the first token before the turn fails over or errors.</summary>
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest silence between two tokens once streaming began.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Also send OpenAI's <c>prompt_cache_key</c> (the conversation's key, as in <c>user</c>) to every chat endpoint, the
    /// platform model and tenants' models alike. Off by default: some OpenAI-compatible servers reject unknown fields.
    /// </summary>
    public bool SendPromptCacheKey { get; set; }

    /// <summary>
    /// Stream text answers through Semantic Kernel's OpenAI connector instead of the direct reader
    /// (<see cref="OpenAiStreamingChatModel"/>); requests with images always go through the connector. Off by default.
    /// </summary>
    public bool StreamWithSemanticKernel { get; set; }

    /// <summary>The configured model reads images (OpenAI's <c>image_url</c> content parts); off by default, so a message with images is refused.</summary>
    public bool Vision { get; set; }

    /// <summary>True when an endpoint and model id are configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(ModelId);

    /// <summary>True when this model is there and reads images: a question with images may go to it.</summary>
    public bool ReadsImages => Vision && IsConfigured;
}
