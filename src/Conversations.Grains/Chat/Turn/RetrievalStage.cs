using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stages 3 and 4: the knowledge search started beside the commit, filtered by what this user may read. It usually
/// outlasts the commit, so "received" is said here as soon as it is true.
/// </summary>
internal sealed class RetrievalStage : ITurnStage
{
    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (turn.Search is null) yield break;
        yield return new ProgressEvent("searching", "Searching the knowledge base…");
        var searchFailure = await SearchAsync(turn);
        // A failed search ends the turn, but a question already stored is acknowledged first ("received", then the
        // interrupted answer): the client must not be told its message was not saved, and resend a copy.
        await foreach (var e in turn.Commit.PassAsync(turn, wait: searchFailure is not null)) yield return e;
        if (turn.Outcome is not null) yield break;
        searchFailure?.Throw();
        yield return new ProgressEvent("searched", turn.Retrieval.Chunks.Count switch
        {
            0 => "No matching sources found.",
            1 => "Found 1 source.",
            var n => $"Found {n} sources.",
        });
    }

    private static async Task<System.Runtime.ExceptionServices.ExceptionDispatchInfo?> SearchAsync(ChatTurn turn)
    {
        try
        {
            turn.Retrieval = await turn.Search!;
            return null;
        }
        catch (Exception failure)
        {
            return System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure);
        }
    }
}
