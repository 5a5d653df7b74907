using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Api.OpenAi;

/// <summary>Notes, as a send's batches pass, whether the send replayed a finished turn (its Idempotency-Key used before).</summary>
internal sealed class ReplayedTurn
{
    /// <summary>True once the first batch said the turn had finished before this send.</summary>
    public bool Finished { get; private set; }

    /// <summary>The batches unchanged, noting the start's status.</summary>
    public async IAsyncEnumerable<TurnEventBatch> Watch(IAsyncEnumerable<TurnEventBatch> batches, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var batch in batches.WithCancellation(ct))
        {
            if (batch.Start?.Status == TurnStartStatus.Finished) Finished = true;
            yield return batch;
        }
    }
}
