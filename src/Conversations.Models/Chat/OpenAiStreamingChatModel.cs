using System.Buffers;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.SemanticKernel;

namespace Conversations.Models.Chat;

/// <summary>
/// A streamed chat completion from an OpenAI-compatible endpoint, read directly: one POST to <c>/chat/completions</c>,
/// its Server-Sent Events split by .NET's <see cref="SseParser"/> and each chunk's few fields read by
/// <see cref="Utf8JsonReader"/>, without the connector's per-chunk objects. Requests with images, whose content parts
/// the connector writes, go to <paramref name="withImages"/> (Semantic Kernel's client for the same endpoint).
/// Errors are thrown as the connector throws them (<see cref="HttpOperationException"/> with the status and body), so
/// failures are classified the same.
/// </summary>
public sealed class OpenAiStreamingChatModel(string endpoint, string modelId, string? apiKey, TimeSpan networkTimeout, bool sendPromptCacheKey,
    HttpClient? http, IChatModel withImages) : IChatModel
{
    // Without a client of its own, calls share one pooled handler, as the SDK's shared client does.
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(new ModelResponseLimits(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })) { Timeout = Timeout.InfiniteTimeSpan });

    // Escapes only what JSON requires (as the connector does): Chinese text stays as UTF-8, not \uXXXX.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Uri _completions = new(endpoint.TrimEnd('/') + "/chat/completions");
    private readonly AuthenticationHeaderValue _auth = new("Bearer", string.IsNullOrEmpty(apiKey) ? "none" : apiKey);

    /// <summary>
    /// The client for one endpoint and model: this direct reader with Semantic Kernel's connector for images, or the
    /// connector alone when <paramref name="semanticKernelOnly"/> (<see cref="ChatModelOptions.StreamWithSemanticKernel"/>).
    /// </summary>
    public static IChatModel Create(string endpoint, string modelId, string? apiKey, TimeSpan networkTimeout, bool sendPromptCacheKey,
        HttpClient? http, bool semanticKernelOnly)
    {
        var connector = new SemanticKernelChatModel(endpoint, modelId, apiKey, networkTimeout, sendPromptCacheKey, http);
        return semanticKernelOnly ? connector : new OpenAiStreamingChatModel(endpoint, modelId, apiKey, networkTimeout, sendPromptCacheKey, http, connector);
    }

    /// <inheritdoc />
    public string Name => modelId;

    /// <inheritdoc />
    public Uri? Endpoint { get; } = new(endpoint);

    /// <inheritdoc />
    public async IAsyncEnumerable<ModelUpdate> StreamAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.Images is { Count: > 0 })
        {
            await foreach (var u in withImages.StreamAsync(request, cancellationToken)) yield return u;
            yield break;
        }
        // The network timeout bounds the whole answer; the turn's first-token and stall timeouts end a hung call sooner.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(networkTimeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, _completions) { Content = new ByteArrayContent(Body(request)) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Authorization = _auth;
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await (http ?? SharedHttp.Value).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var content = await response.Content.ReadAsStringAsync(timeout.Token);
            throw new HttpOperationException(response.StatusCode, content, $"The model endpoint answered {(int)response.StatusCode}.", null);
        }
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var ended = false;
        await foreach (var item in SseParser.Create(stream, static (_, data) => data.SequenceEqual("[DONE]"u8) ? DoneChunk : Chunk(data)).EnumerateAsync(timeout.Token))
        {
            var (text, finish, usage, done) = item.Data;
            if (!string.IsNullOrEmpty(text)) yield return new ModelUpdate(text);
            if (finish is not null) yield return new ModelUpdate(null, null, finish);
            if (usage is not null) yield return new ModelUpdate(null, usage);
            ended |= done || finish is not null;
        }
        // A connection closed (a response without chunked framing ends that way) before a finish reason or `[DONE]` is a
        // cut answer, not a finished one: it fails like a dropped chunked stream, so the turn retries or stores it as incomplete.
        if (!ended) throw new HttpIOException(HttpRequestError.ResponseEnded, "The model's stream ended before a finish reason or [DONE].");
    }

    private static readonly (string? Text, string? Finish, ModelUsage? Usage, bool Done) DoneChunk = (null, null, null, true);

    // The request body as the connector writes it for a text prompt, field for field: the conversation's key as `user`
    // (and `prompt_cache_key` first when enabled), messages, model, output cap, streaming with usage.
    private byte[] Body(ModelRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            if (sendPromptCacheKey && request.CacheKey is not null) json.WriteString("prompt_cache_key"u8, request.CacheKey);
            if (request.CacheKey is not null) json.WriteString("user"u8, request.CacheKey);
            json.WriteStartArray("messages"u8);
            foreach (var m in request.Messages)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, m.Role);
                json.WriteString("content"u8, m.Content);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("model"u8, modelId);
            json.WriteNumber("max_completion_tokens"u8, request.MaxOutputTokens);
            json.WriteBoolean("stream"u8, true);
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // One `data:` line: the first choice's delta content and finish reason, and the usage when the chunk carries it;
    // `[DONE]` and anything else carry nothing.
    private static (string? Text, string? Finish, ModelUsage? Usage, bool Done) Chunk(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data[0] != (byte)'{') return default;
        var reader = new Utf8JsonReader(data);
        string? text = null, finish = null;
        ModelUsage? usage = null;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) continue; // null: nothing to skip
                var first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (first && reader.TokenType == JsonTokenType.StartObject) (text, finish) = Choice(ref reader);
                    else reader.Skip();
                    first = false;
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) usage = Usage(ref reader);
            }
            else SkipValue(ref reader);
        }
        return (text, finish, usage, false);
    }

    // Inside the first choice object: delta.content and finish_reason; leaves the reader on the choice's end.
    private static (string? Text, string? Finish) Choice(ref Utf8JsonReader reader)
    {
        string? text = null, finish = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) finish = reader.GetString();
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                if (!EnterMember(ref reader, "content"u8)) continue;
                if (reader.TokenType == JsonTokenType.String) text = reader.GetString();
                else reader.Skip();
                LeaveObject(ref reader);
            }
            else SkipValue(ref reader);
        }
        return (text, finish);
    }

    private static ModelUsage Usage(ref Utf8JsonReader reader)
    {
        int prompt = 0, cached = 0, completion = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8)) prompt = Int(ref reader);
            else if (reader.ValueTextEquals("completion_tokens"u8)) completion = Int(ref reader);
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                if (!EnterMember(ref reader, "cached_tokens"u8)) continue;
                cached = IntHere(ref reader);
                LeaveObject(ref reader);
            }
            else SkipValue(ref reader);
        }
        return new ModelUsage(prompt, cached, completion);
    }

    private static int Int(ref Utf8JsonReader reader)
    {
        reader.Read();
        return IntHere(ref reader);
    }

    private static int IntHere(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n)) return n;
        reader.Skip();
        return 0;
    }

    // After a property name: its value, skipped.
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    // After a property name: into its value, when that is an object, and onto the value of its member
    // <paramref name="name"/>; false (the object read to its end, or the value skipped) when there is none.
    private static bool EnterMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var found = reader.ValueTextEquals(name);
            reader.Read();
            if (found) return true;
            reader.Skip();
        }
        return false;
    }

    // The rest of an object entered with EnterMember, once the member's value is read.
    private static void LeaveObject(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName) SkipValue(ref reader);
    }
}
