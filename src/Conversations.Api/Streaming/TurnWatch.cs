namespace Conversations.Api.Streaming;

/// <summary>Ending the watch of a turn's events that a conversation grain streams.</summary>
internal static class TurnWatch
{
    /// <summary>
    /// Disposes the enumerator, which tells the grain the watch ended. A grain that went meanwhile (its conversation
    /// deleted, its silo down) cannot hear it, and that is no failure of an answer already given: only cancellation
    /// passes.
    /// </summary>
    public static async ValueTask EndQuietlyAsync<T>(this IAsyncEnumerator<T> watch)
    {
        try { await watch.DisposeAsync(); }
        catch (Exception failure) when (failure is not OperationCanceledException) { }
    }
}
