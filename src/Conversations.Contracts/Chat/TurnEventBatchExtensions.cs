using System.Runtime.CompilerServices;

namespace Conversations.Contracts.Chat;

/// <summary>A send's batches read as plain events, for callers that need no event ids (batch runs, evaluations, the OpenAI-compatible route).</summary>
public static class TurnEventBatchExtensions
{
    /// <summary>What a send whose turn id was already used for a different message is told.</summary>
    public const string IdempotencyKeyReusedMessage =
        "This turn id (Idempotency-Key) was already used for a different message. Send a new message with a new id.";

    /// <summary>The events in order; a busy or unknown conversation becomes the error event that says so.</summary>
    public static async IAsyncEnumerable<ChatEvent> AsChatEvents(this IAsyncEnumerable<TurnEventBatch> batches,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in batches.WithCancellation(cancellationToken))
        {
            if (batch.Start?.Status == TurnStartStatus.NotFound)
                yield return new ErrorEvent(TurnErrorCodes.NotFound, "This conversation does not exist.", false);
            if (batch.Start?.Status == TurnStartStatus.Busy)
                yield return new ErrorEvent(TurnErrorCodes.TurnInProgress, "The previous answer in this conversation is still being written. Wait for it to finish, then send again.", true);
            if (batch.Start?.Status == TurnStartStatus.Mismatch)
                yield return new ErrorEvent(TurnErrorCodes.IdempotencyKeyReused, IdempotencyKeyReusedMessage, false);
            foreach (var e in batch.Events) yield return e.Event;
        }
    }
}
