using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Api.Streaming;

/// <summary>
/// A turn's events as Server-Sent Events through ASP.NET Core's own SSE result: <c>event: NAME</c>, <c>id: ID</c>
/// (for <c>Last-Event-ID</c> resumes) and <c>data: JSON</c>.
/// </summary>
internal static class TurnEventStream
{
    /// <summary>The SSE result for <paramref name="events"/>; the response is marked not to be cached or buffered.</summary>
    public static IResult Create(HttpContext http, IAsyncEnumerable<TurnEvent> events)
    {
        http.Response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx buffer responses unless told not to; buffering defeats streaming.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Items(events, http.RequestAborted));
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

    private static async IAsyncEnumerable<SseItem<ChatEvent>> Items(IAsyncEnumerable<TurnEvent> events, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var e = events.GetAsyncEnumerator(ct);
        string? lastId = null;
        var ended = false;
        while (true)
        {
            bool more, broke = false;
            try
            {
                more = await e.MoveNextAsync();
            }
            catch (Exception) when (!ended && !ct.IsCancellationRequested)
            {
                (more, broke) = (false, true);
            }
            // The stream broke on our side (a silo died): say so instead of ending silently. The event keeps the last
            // id, so the client may resume from there.
            if (broke)
                yield return new SseItem<ChatEvent>(new ErrorEvent("stream_failed",
                    "The answer was interrupted on our side. Reconnect to resume it, or send your message again.", true), "error") { EventId = lastId };
            if (!more) yield break;
            var item = e.Current;
            lastId = item.Id;
            ended |= item.Event is DoneEvent or ErrorEvent;
            yield return new SseItem<ChatEvent>(item.Event, EventName(item.Event)) { EventId = item.Id };
        }
    }
}
