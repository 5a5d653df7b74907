using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conversations.Api.OpenAi;

// OpenAI's wire names are snake_case: requests bind with the API's camelCase options, so each field names itself;
// responses are written with OpenAiJson.Options (snake_case), so they need no attributes.

/// <summary>
/// Body of POST /v1/chat/completions: the fields the platform reads. The sampling parameters are checked against OpenAI's
/// ranges and then left to the tenant's routing; output the platform cannot give (a forced tool call, JSON, stop sequences,
/// log probabilities) is refused; others (seed, user, …) are accepted and ignored.
/// </summary>
internal sealed record ChatCompletionRequest
{
    /// <summary><c>auto</c> (or absent), a tier (<c>small</c>, <c>large</c>) or one of the tenant's registered model ids.</summary>
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>The chat; its last <c>user</c> message is the turn's question, the platform's stored history is the context.</summary>
    [JsonPropertyName("messages")] public IReadOnlyList<ChatCompletionMessage>? Messages { get; init; }

    /// <summary>Stream <c>chat.completion.chunk</c> objects as Server-Sent Events.</summary>
    [JsonPropertyName("stream")] public bool? Stream { get; init; }

    /// <summary>Streaming options: <c>include_usage</c> adds a final chunk with usage.</summary>
    [JsonPropertyName("stream_options")] public StreamOptions? StreamOptions { get; init; }

    /// <summary>Number of choices; only 1 is supported.</summary>
    [JsonPropertyName("n")] public int? N { get; init; }

    /// <summary>Sampling temperature, 0 to 2 (checked, not forwarded: the tenant's models run with their own settings).</summary>
    [JsonPropertyName("temperature")] public double? Temperature { get; init; }

    /// <summary>Nucleus sampling, 0 to 1 (checked, not forwarded).</summary>
    [JsonPropertyName("top_p")] public double? TopP { get; init; }

    /// <summary>−2 to 2 (checked, not forwarded).</summary>
    [JsonPropertyName("presence_penalty")] public double? PresencePenalty { get; init; }

    /// <summary>−2 to 2 (checked, not forwarded).</summary>
    [JsonPropertyName("frequency_penalty")] public double? FrequencyPenalty { get; init; }

    /// <summary>The older name of <see cref="MaxCompletionTokens"/>; at least 1.</summary>
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }

    /// <summary>At least 1 (the tenant's budget and the model's settings bound the answer).</summary>
    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; init; }

    /// <summary>
    /// <c>none</c> or <c>auto</c> are answered (in text: no tool is called); <c>required</c> or a named function would
    /// demand a tool call the platform does not make, so they are refused.
    /// </summary>
    [JsonPropertyName("tool_choice")] public JsonElement? ToolChoice { get; init; }

    /// <summary><c>{"type": "text"}</c> only: the platform cannot promise JSON output.</summary>
    [JsonPropertyName("response_format")] public JsonElement? ResponseFormat { get; init; }

    /// <summary>Stop sequences: none only (null, <c>""</c> or <c>[]</c>); the platform's answers run to their end or their cap.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }

    /// <summary><c>false</c> only: the platform does not return token log probabilities.</summary>
    [JsonPropertyName("logprobs")] public bool? Logprobs { get; init; }

    /// <summary>Refused when set: it asks for log probabilities.</summary>
    [JsonPropertyName("top_logprobs")] public int? TopLogprobs { get; init; }

    /// <summary>Tool definitions, an array: accepted (with <c>tool_choice</c> none or auto) and never called.</summary>
    [JsonPropertyName("tools")] public JsonElement? Tools { get; init; }

    /// <summary>An end-user id, a string: type-checked and ignored (the API key names the user).</summary>
    [JsonPropertyName("user")] public string? User { get; init; }

    /// <summary>A sampling seed, an integer: type-checked and ignored (sampling is the tenant's models').</summary>
    [JsonPropertyName("seed")] public long? Seed { get; init; }

    /// <summary>The legacy <c>tool_choice</c>: <c>none</c> or <c>auto</c> only, as for <see cref="ToolChoice"/>.</summary>
    [JsonPropertyName("function_call")] public JsonElement? FunctionCall { get; init; }

    /// <summary>Output kinds: <c>["text"]</c> only; the platform gives no audio.</summary>
    [JsonPropertyName("modalities")] public JsonElement? Modalities { get; init; }

    /// <summary>Audio output settings: refused when set (no audio is given).</summary>
    [JsonPropertyName("audio")] public JsonElement? Audio { get; init; }
}

/// <summary>One message of a chat completion request.</summary>
internal sealed record ChatCompletionMessage
{
    /// <summary><c>system</c>, <c>developer</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</summary>
    [JsonPropertyName("role")] public string? Role { get; init; }

    /// <summary>A string, or an array of content parts of which only <c>text</c> parts are supported.</summary>
    [JsonPropertyName("content")] public JsonElement? Content { get; init; }
}

/// <summary>The request's <c>stream_options</c>.</summary>
internal sealed record StreamOptions
{
    /// <summary>Send one last chunk with empty <c>choices</c> and the turn's usage.</summary>
    [JsonPropertyName("include_usage")] public bool? IncludeUsage { get; init; }
}

/// <summary>A non-streamed answer: <c>object: "chat.completion"</c>.</summary>
internal sealed record ChatCompletion(string Id, long Created, string Model, IReadOnlyList<CompletionChoice> Choices, CompletionUsage Usage)
{
    /// <summary>Always <c>chat.completion</c>.</summary>
    public string Object => "chat.completion";

    /// <summary>Platform extension: the knowledge-base sources the answer is grounded in (clients that do not know it ignore it).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<CompletionCitation>? Citations { get; init; }
}

/// <summary>The one choice of a completion.</summary>
internal sealed record CompletionChoice(int Index, CompletionMessage Message, [property: JsonPropertyName("finish_reason")] string FinishReason)
{
    /// <summary>Not supported: always null.</summary>
    public object? Logprobs => null;
}

/// <summary>The assistant's message: its text, or for a moderation refusal no text and the reason in <c>refusal</c>.</summary>
internal sealed record CompletionMessage(string? Content, string? Refusal)
{
    /// <summary>Always <c>assistant</c>.</summary>
    public string Role => "assistant";
}

/// <summary>Token usage in OpenAI's shape, cached prompt tokens included.</summary>
internal sealed record CompletionUsage([property: JsonPropertyName("prompt_tokens")] int PromptTokens, [property: JsonPropertyName("completion_tokens")] int CompletionTokens, [property: JsonPropertyName("total_tokens")] int TotalTokens, [property: JsonPropertyName("prompt_tokens_details")] PromptTokensDetails PromptTokensDetails);

/// <summary>How many prompt tokens the provider served from its cache.</summary>
internal sealed record PromptTokensDetails([property: JsonPropertyName("cached_tokens")] int CachedTokens);

/// <summary>A knowledge-base chunk an answer cites (the platform's extension field).</summary>
internal sealed record CompletionCitation([property: JsonPropertyName("document_id")] string DocumentId, [property: JsonPropertyName("document_title")] string DocumentTitle, [property: JsonPropertyName("chunk_index")] int ChunkIndex, double Score);

/// <summary>One streamed piece: <c>object: "chat.completion.chunk"</c>.</summary>
internal sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChunkChoice> Choices)
{
    /// <summary>Always <c>chat.completion.chunk</c>.</summary>
    public string Object => "chat.completion.chunk";

    /// <summary>Only on the last chunk, and only when <c>stream_options.include_usage</c> asked for it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CompletionUsage? Usage { get; init; }

    /// <summary>Platform extension: sources, on the chunk sent when they are known.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<CompletionCitation>? Citations { get; init; }
}

/// <summary>The one choice of a chunk: what is new, and the finish reason on the last content chunk.</summary>
internal sealed record ChunkChoice(int Index, ChunkDelta Delta, [property: JsonPropertyName("finish_reason")] string? FinishReason)
{
    /// <summary>Not supported: always null.</summary>
    public object? Logprobs => null;
}

/// <summary>A chunk's new text: the role on the first chunk, content pieces, or a refusal.</summary>
internal sealed record ChunkDelta
{
    /// <summary><c>assistant</c> on the first chunk only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Role { get; init; }

    /// <summary>The next piece of the answer.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Content { get; init; }

    /// <summary>A moderation refusal's reason.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Refusal { get; init; }
}

/// <summary>GET /v1/models: <c>object: "list"</c>.</summary>
internal sealed record ModelList(IReadOnlyList<ModelObject> Data)
{
    /// <summary>Always <c>list</c>.</summary>
    public string Object => "list";
}

/// <summary>A model the caller may name: <c>object: "model"</c>.</summary>
internal sealed record ModelObject(string Id, long Created, [property: JsonPropertyName("owned_by")] string OwnedBy)
{
    /// <summary>Always <c>model</c>.</summary>
    public string Object => "model";
}

/// <summary>The JSON settings of the OpenAI-compatible answers.</summary>
internal static class OpenAiJson
{
    /// <summary>snake_case names, nulls written (OpenAI sends <c>finish_reason: null</c>).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // As ASP.NET Core's own JSON answers: text reads as written (no \u0027 for an apostrophe).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
