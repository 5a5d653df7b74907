using System.Text.Json;
using Conversations.Contracts.Chat;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Streaming;

/// <summary>Writes a turn's events as Server-Sent Events (<c>event: NAME</c>, <c>data: JSON</c>), flushing each one.</summary>
public sealed class ServerSentEventsResult(IAsyncEnumerable<ChatEvent> events) : IResult
{
    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext http)
    {
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx buffer responses unless told not to; buffering defeats streaming.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(http.RequestAborted);
        var ended = false;
        try
        {
            await foreach (var e in events.WithCancellation(http.RequestAborted))
            {
                await WriteAsync(response, e, json, http.RequestAborted);
                ended |= e is DoneEvent or ErrorEvent;
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return; // The client left; the grain keeps what was written, marked interrupted.
        }
        catch (Exception) when (!ended)
        {
            // The stream broke on our side (a silo died): say so instead of ending silently.
            await WriteAsync(response, new ErrorEvent("stream_failed",
                "The answer was interrupted on our side. Your message is saved; please send it again.", true), json, CancellationToken.None);
        }
    }

    /// <summary>The SSE event name of an event.</summary>
    public static string EventName(ChatEvent e) => e switch
    {
        ProgressEvent => "progress",
        DeltaEvent => "delta",
        CitationEvent => "citation",
        DoneEvent => "done",
        ErrorEvent => "error",
        _ => "message",
    };

    // One event is one write and one flush: the frame is built in the response's pipe buffer, not in separate writes.
    private static async Task WriteAsync(HttpResponse response, ChatEvent e, JsonSerializerOptions json, CancellationToken ct)
    {
        var writer = response.BodyWriter;
        WriteAscii(writer, "event: ");
        WriteAscii(writer, EventName(e));
        WriteAscii(writer, "\ndata: ");
        using (var jsonWriter = new Utf8JsonWriter(writer))
            JsonSerializer.Serialize(jsonWriter, e, e.GetType(), json);
        WriteAscii(writer, "\n\n");
        await writer.FlushAsync(ct);
    }

    private static void WriteAscii(System.IO.Pipelines.PipeWriter writer, string text)
    {
        var span = writer.GetSpan(text.Length);
        var n = System.Text.Encoding.ASCII.GetBytes(text, span);
        writer.Advance(n);
    }
}
