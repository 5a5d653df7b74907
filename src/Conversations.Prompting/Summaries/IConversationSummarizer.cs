using Conversations.Prompting.History;

namespace Conversations.Prompting.Summaries;

/// <summary>Folds old turns into a conversation's running summary.</summary>
public interface IConversationSummarizer
{
    /// <summary>
    /// A new summary covering <paramref name="previousSummary"/> and <paramref name="turnsToFold"/> (oldest first),
    /// at most <paramref name="maxTokens"/> tokens long.
    /// </summary>
    Task<string> SummarizeAsync(string? previousSummary, IReadOnlyList<ChatTurnMessage> turnsToFold, int maxTokens, CancellationToken cancellationToken);
}
