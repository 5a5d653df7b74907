using System.Runtime.CompilerServices;

namespace Conversations.Contracts.Chat;

/// <summary>A send's batches read as plain events, for callers that need no event ids (batch runs, evaluations, the OpenAI-compatible route).</summary>
public static class TurnEventBatchExtensions
{
    /// <summary>What a send whose turn id was already used for a different message is told.</summary>
    public const string IdempotencyKeyReusedMessage =
        "This turn id (Idempotency-Key) was already used for a different message. Send a new message with a new id.";

    /// <summary>What a message that names a turn to replace other than the conversation's last is told.</summary>
    public static string TurnNotLastMessage(string turnId) =>
        $"Only the conversation's last answered turn can be regenerated or edited; turn {turnId} is not it. Reload the conversation and try again.";

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
            if (batch.Start?.Status == TurnStartStatus.NotLastTurn)
                yield return new ErrorEvent(TurnErrorCodes.TurnNotLast, TurnNotLastMessage(batch.Start.TurnId), false);
            foreach (var e in batch.Events) yield return e.Event;
        }
    }
}
