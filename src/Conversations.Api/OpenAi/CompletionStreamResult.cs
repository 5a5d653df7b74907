using System.Buffers;
using System.Text;
using System.Text.Json;
using Conversations.Api.Streaming;
using Conversations.Contracts.Chat;

namespace Conversations.Api.OpenAi;

/// <summary>What every object of one completion repeats: its id, creation time (Unix seconds) and the model name the client used.</summary>
internal sealed record CompletionHeader(string Id, long Created, string Model);

/// <summary>
/// A turn streamed as OpenAI's <c>chat.completion.chunk</c> events: a first chunk with <c>delta.role</c>, content
/// chunks (those that arrive together share one flush, see <see cref="IdleFlush"/>), a last chunk with an empty delta and the <c>finish_reason</c>, with <c>include_usage</c> one more chunk with
/// <c>choices: []</c> and the usage, then <c>data: [DONE]</c>. A moderation refusal streams as a <c>refusal</c> delta
/// ending in <c>content_filter</c>; an error after the first chunk is written as OpenAI's error object. While the model
/// has not sent its first token, an SSE comment line every <c>Chat:HeartbeatSeconds</c> keeps idle-timeout proxies
/// from cutting the connection (the SDKs skip comment lines). A turn cut off because its tenant, the tenant's data or
/// its conversation is gone ends as the chat's stream does (<see cref="TurnGone"/>): with <c>tenant_deleted</c>,
/// <c>data_destroyed</c> or <c>conversation_not_found</c>, never with the retryable <c>stream_failed</c>.
/// </summary>
internal sealed class CompletionStreamResult(CompletionEvents turn, CompletionHeader header, bool includeUsage, Func<Task<ErrorEvent?>>? conversationGone) : IResult
{
    private static readonly byte[] Done = Encoding.ASCII.GetBytes("data: [DONE]\n\n");
    private static readonly byte[] KeepAlive = Encoding.ASCII.GetBytes(": waiting for the model\n\n");

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no"; // proxies must not buffer the stream
        var ct = http.RequestAborted;
        await using var _ = turn;
        TurnUsage? usage = null;
        try
        {
            Write(response, Chunk(new ChunkDelta { Role = "assistant", Content = "" }, null));
            await foreach (var e in turn.RestAsync().FlushWhenIdle(response.BodyWriter, ct))
            {
                switch (e)
                {
                    case ProgressEvent: // a beat: the model has not sent a token for a while
                        response.BodyWriter.Write(KeepAlive);
                        break;
                    case DeltaEvent d:
                        Write(response, Chunk(new ChunkDelta { Content = d.Text }, null));
                        break;
                    case DoneEvent done:
                        usage = done.Usage;
                        Write(response, Chunk(new ChunkDelta(), TurnErrors.FinishReasonOf(done)));
                        break;
                    case ErrorEvent { Code: TurnErrorCodes.InputRefused } refusal:
                        Write(response, Chunk(new ChunkDelta { Refusal = refusal.Message }, null));
                        Write(response, Chunk(new ChunkDelta(), "content_filter"));
                        usage = TurnUsage.None;
                        break;
                    case ErrorEvent error:
                        Write(response, TurnErrors.InStream(await TurnGone.FinalAsync(error, conversationGone)));
                        break;
                }
            }
            if (usage is null && turn.First is null)
                Write(response, TurnErrors.InStream(await TurnGone.EndingAsync(conversationGone, StreamFailed)));
            if (usage is not null && includeUsage)
                Write(response, new ChatCompletionChunk(header.Id, header.Created, header.Model, []) { Usage = CompletionResult.Usage(usage) });
            await EndAsync(response, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left; the grain keeps what was written, marked interrupted.
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // The stream broke on our side (a silo died): say so instead of ending silently. After the finish chunk a
            // broken source is no news (the conversation was deleted and its grain went): the answer is complete.
            if (usage is null) Write(response, TurnErrors.InStream(await TurnGone.EndingAsync(conversationGone, StreamFailed)));
            await EndAsync(response, CancellationToken.None);
        }
    }

    /// <summary>What a stream that broke on the platform's side reports.</summary>
    public static readonly ErrorEvent StreamFailed = new(TurnErrorCodes.StreamFailed, "The answer was interrupted on our side. Your message is saved; please send it again.", true);

    // Every chunk carries the sources that arrived since the one before (usually all of them on the first).
    private ChatCompletionChunk Chunk(ChunkDelta delta, string? finishReason) =>
        new(header.Id, header.Created, header.Model, [new ChunkChoice(0, delta, finishReason)]) { Citations = turn.TakeCitations() };

    private static async Task EndAsync(HttpResponse response, CancellationToken ct)
    {
        response.BodyWriter.Write(Done);
        await response.BodyWriter.FlushAsync(ct);
    }

    // Written, not flushed: the stream's IdleFlush (or the end) flushes.
    private static void Write<T>(HttpResponse response, T value)
    {
        var writer = response.BodyWriter;
        writer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(writer))
            JsonSerializer.Serialize(json, value, OpenAiJson.Options);
        writer.Write("\n\n"u8);
    }
}
