using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Api.Streaming;

/// <summary>A turn's batches of events (one grain round trip each) as the events the SSE writer sends one by one.</summary>
internal static class TurnEventBatches
{
    /// <summary>The events of every batch, in order.</summary>
    public static async IAsyncEnumerable<TurnEvent> Events(IAsyncEnumerable<TurnEventBatch> batches,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var batch in batches.WithCancellation(ct))
            foreach (var e in batch.Events) yield return e;
    }

    /// <summary>The events of a batch already read, then those of the batches after it; owns and disposes <paramref name="rest"/>.</summary>
    public static async IAsyncEnumerable<TurnEvent> Events(TurnEventBatch first, IAsyncEnumerator<TurnEventBatch> rest,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var _ = rest;
        foreach (var e in first.Events) yield return e;
        while (await rest.MoveNextAsync())
            foreach (var e in rest.Current.Events) yield return e;
    }
}
