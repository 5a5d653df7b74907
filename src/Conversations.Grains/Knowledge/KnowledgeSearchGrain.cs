using Conversations.Contracts.Chat;
using Conversations.Contracts.Knowledge;
using Conversations.Grains.Chat;
using Orleans.Concurrency;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// Searches for one user; a stateless worker so searches of a busy tenant spread over the silo's cores. Search shows
/// document text to a user, so it runs the chat turn's moderation stages through the same <see cref="ITurnModeration"/>:
/// the question is checked (and masked) like a chat question, and every chunk passes the tenant's output guard, with
/// findings recorded as moderation events under the conversation id <see cref="ConversationId"/>.
/// </summary>
[StatelessWorker]
internal sealed class KnowledgeSearchGrain(IKnowledgeRetriever retriever, ITurnModeration moderation, QuestionEmbeddings embeddings)
    : Grain, IKnowledgeSearchGrain
{
    /// <summary>The conversation id moderation events of searches carry.</summary>
    public const string ConversationId = "knowledge-search";

    /// <inheritdoc />
    public async Task<KnowledgeSearchResult> SearchAsync(Caller caller, string question, int topK)
    {
        var tenantId = this.GetPrimaryKeyString();
        if (caller.TenantId != tenantId) throw new ArgumentException("The caller belongs to another tenant.");
        var searchId = "search-" + Guid.NewGuid().ToString("n");
        var search = await moderation.CheckInputAsync(caller, ConversationId, searchId, question, CancellationToken.None);
        var verdict = search.Verdict;
        if (!verdict.Allowed)
        {
            await search.FinishAsync(TurnUsage.None, "");
            return new KnowledgeSearchResult(null, verdict.RefusalCode, verdict.RefusalMessage, verdict.RiskLevel, verdict.Labels);
        }
        var result = await retriever.RetrieveAsync(tenantId, caller.UserId, embeddings.For(verdict), topK);

        // Each chunk is its own "answer": one guard per chunk, so a term can never match across two chunks' seam.
        var chunks = new List<KnowledgeChunk>(result.Chunks.Count);
        var finishing = new List<Task> { search.FinishAsync(TurnUsage.None, "") };
        for (var i = 0; i < result.Chunks.Count; i++)
        {
            var chunk = moderation.OutputOnly(caller, ConversationId, $"{searchId}.{i}");
            var shown = Shown(chunk.StartOutput(), result.Chunks[i].Text);
            chunks.Add(result.Chunks[i] with { Text = shown });
            finishing.Add(chunk.FinishAsync(TurnUsage.None, shown));
        }
        await Task.WhenAll(finishing); // the findings' events are durable (or queued) before the user sees the text
        return new KnowledgeSearchResult(result with { Chunks = chunks });
    }

    /// <inheritdoc />
    public async Task<KnowledgeChunk?> GetPassageAsync(Caller caller, string documentId, int chunkIndex)
    {
        var tenantId = this.GetPrimaryKeyString();
        if (caller.TenantId != tenantId) throw new ArgumentException("The caller belongs to another tenant.");
        var passage = await retriever.ReadPassageAsync(tenantId, caller.UserId, documentId, chunkIndex);
        if (passage is null) return null;
        var guard = await moderation.OutputOnlyAsync(caller, ConversationId, "passage-" + Guid.NewGuid().ToString("n"));
        var (shown, withheld) = ShownUpToWithheld(guard.StartOutput(), passage.Text);
        await guard.FinishAsync(TurnUsage.None, shown);
        return passage with { Text = shown, Withheld = withheld };
    }

    // As a streamed answer is released: piece by piece, so the text before a blocked word is shown (pushed whole, the
    // guard withholds all of it), in any script, and the withheld rest is only flagged: the reader is told in a
    // passage's own words, not with an answer's notice.
    private static (string Shown, bool Withheld) ShownUpToWithheld(IOutputGuard guard, string text)
    {
        const int piece = 16;
        var shown = new System.Text.StringBuilder();
        for (var at = 0; at < text.Length;)
        {
            var length = Math.Min(piece, text.Length - at);
            if (at + length < text.Length && char.IsHighSurrogate(text[at + length - 1])) length++; // never split a pair
            var pushed = guard.Push(text.Substring(at, length));
            shown.Append(pushed.SafeText);
            if (pushed.Withheld) return (shown.ToString().TrimEnd(), true);
            at += length;
        }
        var tail = guard.Complete();
        shown.Append(tail.SafeText);
        return (tail.Withheld ? shown.ToString().TrimEnd() : shown.ToString(), tail.Withheld);
    }

    // As the chat turn shows an answer: the released text, and the guard's notice where it withheld the rest.
    private static string Shown(IOutputGuard guard, string text)
    {
        var pushed = guard.Push(text);
        var tail = pushed.Withheld ? pushed : guard.Complete();
        var shown = pushed.SafeText + (pushed.Withheld ? "" : tail.SafeText);
        return tail.Withheld ? (shown.Length > 0 ? shown + "\n\n" : "") + (tail.Notice ?? "The rest of this text was withheld.") : shown;
    }
}
