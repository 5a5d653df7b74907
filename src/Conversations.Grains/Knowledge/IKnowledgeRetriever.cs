using Conversations.Contracts.Knowledge;

namespace Conversations.Grains.Knowledge;

/// <summary>Stages 3 and 4 of a turn: finds the chunks a user may read that best answer a question.</summary>
internal interface IKnowledgeRetriever
{
    /// <summary>
    /// The best <paramref name="topK"/> chunks of the tenant's knowledge base for <paramref name="question"/> that
    /// <paramref name="userId"/> may read, best first, with the ACL version they were checked at and the plan used.
    /// Empty (never an error) when the user may read nothing or the question has no text.
    /// </summary>
    Task<RetrievalResult> RetrieveAsync(string tenantId, string userId, string question, int topK, CancellationToken cancellationToken = default);

    /// <summary>
    /// The same search for a moderated question: what leaves the platform (an embedding endpoint outside this process)
    /// follows the tenant's personal-data policy, as a model request does (<see cref="QuestionEmbedding.Text"/>).
    /// </summary>
    Task<RetrievalResult> RetrieveAsync(string tenantId, string userId, QuestionEmbedding question, int topK, CancellationToken cancellationToken = default) =>
        RetrieveAsync(tenantId, userId, question.Verdict.TextForModel, topK, cancellationToken);

    /// <summary>
    /// One passage (chunk) of the tenant's knowledge base when <paramref name="userId"/> may read it now, else null:
    /// what a citation opens. The same ACL as retrieval: labels in the SQL, checked again by the ACL grain.
    /// </summary>
    Task<KnowledgeChunk?> ReadPassageAsync(string tenantId, string userId, string documentId, int chunkIndex, CancellationToken cancellationToken = default);
}
