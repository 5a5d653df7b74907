using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turns;

/// <summary>A send's batches as the plain events that batch runs, evaluations and the OpenAI-compatible route read.</summary>
internal static class TurnBatches
{
    /// <summary>The events in order; a busy or unknown conversation becomes the error event that says so.</summary>
    public static async IAsyncEnumerable<ChatEvent> ChatEvents(IAsyncEnumerable<TurnEventBatch> batches)
    {
        await foreach (var batch in batches)
        {
            if (batch.Start?.Status == TurnStartStatus.NotFound)
                yield return new ErrorEvent("not_found", "This conversation does not exist.", false);
            if (batch.Start?.Status == TurnStartStatus.Busy)
                yield return new ErrorEvent("turn_in_progress", "The previous answer in this conversation is still being written. Wait for it to finish, then send again.", true);
            foreach (var e in batch.Events) yield return e.Event;
        }
    }
}
