using Conversations.Contracts.Knowledge;

namespace Conversations.Grains.Knowledge;

/// <summary>Stages 3 and 4 of a turn: finds the chunks a user may read that best answer a question.</summary>
public interface IKnowledgeRetriever
{
    /// <summary>
    /// The best <paramref name="topK"/> chunks of the tenant's knowledge base for <paramref name="question"/> that
    /// <paramref name="userId"/> may read, best first, with the ACL version they were checked at and the plan used.
    /// Empty (never an error) when the user may read nothing or the question has no text.
    /// </summary>
    Task<RetrievalResult> RetrieveAsync(string tenantId, string userId, string question, int topK, CancellationToken cancellationToken = default);
}
