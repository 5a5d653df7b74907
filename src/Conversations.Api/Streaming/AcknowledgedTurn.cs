using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Api.Streaming;

/// <summary>
/// A new turn's response waits for its question to be stored: the events before "received" are held, and a question
/// that could not be stored answers a 503 problem with Retry-After instead of a 200 stream, so the platform never
/// acknowledges a message it did not save. The wait is the question's one INSERT, which runs beside retrieval.
/// </summary>
internal static class AcknowledgedTurn
{
    /// <summary>The stage name of the progress event a turn sends once its question is stored.</summary>
    public const string ReceivedStage = "received";

    /// <summary>Seconds a client is told to wait before sending the same message again.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The SSE result once the question is stored (or the turn ended otherwise), else a 503 problem.</summary>
    public static async Task<IResult> StreamAsync(HttpContext http, IAsyncEnumerable<TurnEvent> events, Func<Task<ErrorEvent?>>? conversationGone = null)
    {
        var e = events.GetAsyncEnumerator(http.RequestAborted);
        var held = new List<TurnEvent>();
        try
        {
            var acknowledged = false;
            while (await MovedAsync(e))
            {
                held.Add(e.Current);
                if (e.Current.Event is ErrorEvent { Code: TurnErrorCodes.DataDestroyed } destroyed)
                {
                    await e.EndQuietlyAsync();
                    return TypedResults.Problem(destroyed.Message, statusCode: StatusCodes.Status410Gone, title: "Data destroyed",
                        type: "https://httpstatuses.io/410", extensions: new Dictionary<string, object?> { ["code"] = TurnErrorCodes.DataDestroyed });
                }
                // Deleted while the question was on its way: nothing to send it to.
                if (e.Current.Event is ErrorEvent { Code: TurnErrorCodes.NotFound })
                {
                    await e.EndQuietlyAsync();
                    return Errors.Problems.NotFound("The conversation");
                }
                if (e.Current.Event is ProgressEvent { Stage: ReceivedStage } or DeltaEvent or DoneEvent)
                {
                    acknowledged = true;
                    break;
                }
                // Refusals come after "received"; an error before it (the turn failed or was cut before its question
                // was known to be stored) must not be a 200 that says the message was taken.
                if (e.Current.Event is ErrorEvent) break;
            }
            if (!acknowledged)
            {
                await e.EndQuietlyAsync();
                // Stopped (a cancel of this turn id) before the question was stored: nothing was kept, as the user asked.
                // A conflict saying so, not a 503 inviting a retry of a message the user just stopped.
                if (held.LastOrDefault()?.Event is ErrorEvent { Code: TurnErrorCodes.Stopped } stopped)
                    return TypedResults.Problem(stopped.Message, statusCode: StatusCodes.Status409Conflict, title: "Stopped before it was saved",
                        type: "https://httpstatuses.io/409", extensions: new Dictionary<string, object?> { ["code"] = TurnErrorCodes.Stopped });
                var message = held.LastOrDefault()?.Event is ErrorEvent { Code: TurnErrorCodes.StorageUnavailable } notStored ? notStored.Message
                    : "We couldn't confirm that your message was saved, so it was not sent. Please try again in a moment.";
                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(message, statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Message not saved", type: "https://httpstatuses.io/503",
                    extensions: new Dictionary<string, object?> { ["code"] = TurnErrorCodes.StorageUnavailable });
            }
        }
        catch
        {
            await e.EndQuietlyAsync();
            throw;
        }
        // The next batch is asked for now, so its grain round trip overlaps the start of the response (headers, the held
        // events) instead of following it: the first delta usually comes right after "received".
        var next = e.MoveNextAsync().AsTask();
        // A request aborted before the stream reads the prefetch (or while it writes the held events) never awaits it:
        // its failure is observed here, so it is no unobserved task exception.
        _ = next.ContinueWith(static t => t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return TurnEventStream.Create(http, Concat(held, next, e), conversationGone);
    }

    // A source that broke before the question was known to be stored (its grain went: the conversation was deleted
    // meanwhile, or a silo failed) is an unconfirmed message, the 503 below, not a 500.
    private static async Task<bool> MovedAsync(IAsyncEnumerator<TurnEvent> e)
    {
        try { return await e.MoveNextAsync(); }
        catch (Exception failure) when (failure is EnumerationAbortedException or OrleansException) { return false; }
    }

    // The answer here does not depend on the grain hearing that the watch ended: a grain that went (its conversation
    // deleted) cannot, and that must not turn a 404 or a 503 into a 500.
    private static async IAsyncEnumerable<TurnEvent> Concat(List<TurnEvent> held, Task<bool> next, IAsyncEnumerator<TurnEvent> rest,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        try
        {
            foreach (var h in held) yield return h;
            if (!await next) yield break;
            yield return rest.Current;
            while (await rest.MoveNextAsync()) yield return rest.Current;
        }
        finally
        {
            // An enumerator is not disposed while a move is in flight: a reader that stopped early waits for the prefetch.
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await rest.DisposeAsync();
        }
    }
}
