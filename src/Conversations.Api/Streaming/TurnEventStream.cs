using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Streaming;

/// <summary>
/// A turn's events as Server-Sent Events, formatted by .NET's <see cref="SseFormatter"/> as ASP.NET Core's own SSE
/// result does (same headers, same JSON): <c>event: NAME</c>, <c>id: ID</c> (for <c>Last-Event-ID</c> resumes) and
/// <c>data: JSON</c>. Unlike that result, which flushes every event, events that arrive together share one flush
/// (<see cref="IdleFlush"/>).
/// </summary>
internal static class TurnEventStream
{
    /// <summary>
    /// The SSE result for <paramref name="events"/>; the response is marked not to be cached or buffered.
    /// <paramref name="conversationGone"/> says, when the events break off, why the turn can never be resumed (its tenant
    /// or conversation was deleted, the tenant's data destroyed), or null when it may be: the stream then ends with that
    /// final, non-retryable error instead of an invitation to resume.
    /// </summary>
    public static IResult Create(HttpContext http, IAsyncEnumerable<TurnEvent> events, Func<Task<ErrorEvent?>>? conversationGone = null)
    {
        // Proxies such as nginx buffer responses unless told not to; buffering defeats streaming.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return new Result(events, conversationGone);
    }

    /// <summary>What a quiet stream sends every <see cref="Chat.ChatApiOptions.HeartbeatSeconds"/> (a slow model's first token).</summary>
    public static readonly ProgressEvent StillWorking = new("waiting", "Still working on the answer…");

    /// <summary>The last event of a stream whose conversation was deleted while it ran.</summary>
    public static readonly ErrorEvent ConversationDeleted = new(TurnErrorCodes.NotFound, "This conversation was deleted while its answer was being written.", false);

    /// <summary>The last event of a stream whose tenant was deleted while it ran: its keys are gone, so a retry could only be refused.</summary>
    public static readonly ErrorEvent TenantDeleted = new(TurnErrorCodes.TenantDeleted,
        "This workspace was deleted while the answer was being written; nothing of it can be resumed or sent again.", false);

    /// <summary>The last event of a stream whose tenant's data key was destroyed while it ran.</summary>
    public static readonly ErrorEvent DataDestroyed = new(TurnErrorCodes.DataDestroyed,
        "This workspace's data was destroyed while the answer was being written; nothing of it can be resumed or sent again.", false);

    private sealed class Result(IAsyncEnumerable<TurnEvent> events, Func<Task<ErrorEvent?>>? conversationGone) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var response = http.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache,no-store";
            response.Headers.Pragma = "no-cache";
            response.Headers.ContentEncoding = "identity";
            http.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
            var trace = http.Features.Get<IHttpActivityFeature>()?.Activity;
            var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var ct = http.RequestAborted;
            var heartbeat = TimeSpan.FromSeconds(http.RequestServices.GetRequiredService<IOptions<Chat.ChatApiOptions>>().Value.HeartbeatSeconds);
            // The headers go at once, before any event: a client tells a resume the platform took from one that went
            // out on a dead connection by them, without waiting for the next token or heartbeat.
            await response.StartAsync(ct);
            // A heartbeat has no id: a resume goes on from the last real event.
            var items = Items(events, trace, conversationGone, ct).WithHeartbeats(heartbeat, () => new SseItem<ChatEvent>(StillWorking, "progress"), ct);
            await SseFormatter.WriteAsync(items.FlushWhenIdle(response.BodyWriter, ct), new UnflushedBodyStream(response.BodyWriter),
                (item, buffer) =>
                {
                    using var writer = new Utf8JsonWriter(buffer);
                    JsonSerializer.Serialize(writer, item.Data, json.GetTypeInfo(item.Data.GetType()));
                }, ct);
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

    private static async IAsyncEnumerable<SseItem<ChatEvent>> Items(IAsyncEnumerable<TurnEvent> events, Activity? trace,
        Func<Task<ErrorEvent?>>? conversationGone, [EnumeratorCancellation] CancellationToken ct)
    {
        var shown = false;
        var e = events.GetAsyncEnumerator(ct);
        string? lastId = null;
        var ended = false;
        try
        {
            while (true)
            {
                bool more, broke = false;
                try
                {
                    more = await e.MoveNextAsync();
                }
                // After the turn's last event a broken source is no news (the conversation was deleted and its grain
                // went): the stream is complete, and ends as such instead of as a torn response.
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    (more, broke) = (false, !ended);
                }
                // The stream broke on our side (a silo died): say so instead of ending silently. The event keeps the
                // last id, so the client may resume from there; a deleted conversation has nothing to resume.
                if (broke)
                    yield return new SseItem<ChatEvent>(await TurnGone.EndingAsync(conversationGone, StreamFailed), "error") { EventId = lastId };
                if (!more) yield break;
                var item = e.Current;
                // A turn the grain ended as retryable (interrupted: its grain went away) may have nothing left to retry:
                // its tenant or conversation was deleted. Then the ending says so, for good.
                if (item.Event is ErrorEvent { Retryable: true } error) item = item with { Event = await TurnGone.FinalAsync(error, conversationGone) };
                lastId = item.Id;
                ended |= item.Event is DoneEvent or ErrorEvent;
                if (!shown && item.Event is DeltaEvent) PlatformTracing.Mark(trace, "first delta out");
                shown |= item.Event is DeltaEvent;
                yield return new SseItem<ChatEvent>(item.Event, EventName(item.Event)) { EventId = item.Id };
            }
        }
        finally
        {
            await e.EndQuietlyAsync();
        }
    }

    private static readonly ErrorEvent StreamFailed =
        new(TurnErrorCodes.StreamFailed, "The answer was interrupted on our side. Reconnect to resume it, or send your message again.", true);
}
