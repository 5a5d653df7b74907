namespace Conversations.TestModel.Protocol;

/// <summary>Writes chat-completion objects and stream chunks in OpenAI's wire shape, straight to UTF-8.</summary>
internal static class CompletionJson
{
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ObjectName = JsonEncodedText.Encode("object");
    private static readonly JsonEncodedText Created = JsonEncodedText.Encode("created");
    private static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText Fingerprint = JsonEncodedText.Encode("system_fingerprint");
    private static readonly JsonEncodedText FingerprintValue = JsonEncodedText.Encode("fp_testmodel");
    private static readonly JsonEncodedText Choices = JsonEncodedText.Encode("choices");
    private static readonly JsonEncodedText Index = JsonEncodedText.Encode("index");
    private static readonly JsonEncodedText Delta = JsonEncodedText.Encode("delta");
    private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText Role = JsonEncodedText.Encode("role");
    private static readonly JsonEncodedText Assistant = JsonEncodedText.Encode("assistant");
    private static readonly JsonEncodedText Content = JsonEncodedText.Encode("content");
    private static readonly JsonEncodedText Refusal = JsonEncodedText.Encode("refusal");
    private static readonly JsonEncodedText Logprobs = JsonEncodedText.Encode("logprobs");
    private static readonly JsonEncodedText FinishReason = JsonEncodedText.Encode("finish_reason");
    private static readonly JsonEncodedText UsageName = JsonEncodedText.Encode("usage");
    private static readonly JsonEncodedText ChunkObject = JsonEncodedText.Encode("chat.completion.chunk");
    private static readonly JsonEncodedText CompletionObject = JsonEncodedText.Encode("chat.completion");
    private static readonly JsonEncodedText PromptTokens = JsonEncodedText.Encode("prompt_tokens");
    private static readonly JsonEncodedText CompletionTokens = JsonEncodedText.Encode("completion_tokens");
    private static readonly JsonEncodedText TotalTokens = JsonEncodedText.Encode("total_tokens");
    private static readonly JsonEncodedText PromptDetails = JsonEncodedText.Encode("prompt_tokens_details");
    private static readonly JsonEncodedText CompletionDetails = JsonEncodedText.Encode("completion_tokens_details");
    private static readonly JsonEncodedText CachedTokens = JsonEncodedText.Encode("cached_tokens");
    private static readonly JsonEncodedText AudioTokens = JsonEncodedText.Encode("audio_tokens");
    private static readonly JsonEncodedText ReasoningTokens = JsonEncodedText.Encode("reasoning_tokens");
    private static readonly JsonEncodedText AcceptedTokens = JsonEncodedText.Encode("accepted_prediction_tokens");
    private static readonly JsonEncodedText RejectedTokens = JsonEncodedText.Encode("rejected_prediction_tokens");

    /// <summary>A whole non-streaming <c>chat.completion</c> object.</summary>
    public static void WriteCompletion(Utf8JsonWriter writer, in CompletionHeader header, string content, string finishReason, in Usage usage)
    {
        StartChoice(writer, header, CompletionObject, Message);
        writer.WriteString(Role, Assistant);
        writer.WriteString(Content, content);
        writer.WriteNull(Refusal);
        EndChoice(writer, finishReason);
        WriteUsage(writer, usage);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>A chunk carrying one piece of content; the first also carries the assistant role.</summary>
    public static void WriteContentChunk(Utf8JsonWriter writer, in CompletionHeader header, string piece, bool first)
    {
        StartChoice(writer, header, ChunkObject, Delta);
        if (first)
        {
            writer.WriteString(Role, Assistant);
        }

        writer.WriteString(Content, piece);
        EndChoice(writer, finishReason: null);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>The chunk with an empty delta and the finish reason.</summary>
    public static void WriteFinishChunk(Utf8JsonWriter writer, in CompletionHeader header, string finishReason)
    {
        StartChoice(writer, header, ChunkObject, Delta);
        EndChoice(writer, finishReason);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>The last chunk when usage was asked for: no choices, only usage.</summary>
    public static void WriteUsageChunk(Utf8JsonWriter writer, in CompletionHeader header, in Usage usage)
    {
        writer.WriteStartObject();
        WriteHeader(writer, header, ChunkObject);
        writer.WriteStartArray(Choices);
        writer.WriteEndArray();
        WriteUsage(writer, usage);
        writer.WriteEndObject();
        writer.Flush();
    }

    // Opens the object, its one choice and the choice's message or delta; the caller writes the message's fields.
    private static void StartChoice(Utf8JsonWriter writer, in CompletionHeader header, JsonEncodedText objectName, JsonEncodedText body)
    {
        writer.WriteStartObject();
        WriteHeader(writer, header, objectName);
        writer.WriteStartArray(Choices);
        writer.WriteStartObject();
        writer.WriteNumber(Index, 0);
        writer.WriteStartObject(body);
    }

    // Closes the message or delta and the choice with its finish reason (null while streaming), and the choices array.
    private static void EndChoice(Utf8JsonWriter writer, string? finishReason)
    {
        writer.WriteEndObject();
        writer.WriteNull(Logprobs);
        if (finishReason is null) writer.WriteNull(FinishReason);
        else writer.WriteString(FinishReason, finishReason);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static void WriteHeader(Utf8JsonWriter writer, in CompletionHeader header, JsonEncodedText objectName)
    {
        writer.WriteString(Id, header.Id);
        writer.WriteString(ObjectName, objectName);
        writer.WriteNumber(Created, header.Created);
        writer.WriteString(Model, header.Model);
        writer.WriteString(Fingerprint, FingerprintValue);
    }

    private static void WriteUsage(Utf8JsonWriter writer, in Usage usage)
    {
        writer.WriteStartObject(UsageName);
        writer.WriteNumber(PromptTokens, usage.PromptTokens);
        writer.WriteNumber(CompletionTokens, usage.CompletionTokens);
        writer.WriteNumber(TotalTokens, usage.PromptTokens + usage.CompletionTokens);
        writer.WriteStartObject(PromptDetails);
        writer.WriteNumber(CachedTokens, usage.CachedTokens);
        writer.WriteNumber(AudioTokens, 0);
        writer.WriteEndObject();
        writer.WriteStartObject(CompletionDetails);
        writer.WriteNumber(ReasoningTokens, 0);
        writer.WriteNumber(AudioTokens, 0);
        writer.WriteNumber(AcceptedTokens, 0);
        writer.WriteNumber(RejectedTokens, 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

/// <summary>The fields every object of one completion repeats.</summary>
internal readonly record struct CompletionHeader(string Id, long Created, string Model);
