using Conversations.Contracts.Knowledge;
using Orleans.Concurrency;

namespace Conversations.Grains.Knowledge;

/// <summary>Searches for one user; a stateless worker so searches of a busy tenant spread over the silo's cores.</summary>
[StatelessWorker]
public sealed class KnowledgeSearchGrain(IKnowledgeRetriever retriever) : Grain, IKnowledgeSearchGrain
{
    /// <inheritdoc />
    public Task<RetrievalResult> SearchAsync(string userId, string question, int topK) =>
        retriever.RetrieveAsync(this.GetPrimaryKeyString(), userId, question, topK);
}
