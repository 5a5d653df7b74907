using Conversations.Prompting.History;

namespace Conversations.Prompting.Budget;

/// <summary>What <see cref="ContextWindowPlanner.PlanFold"/> decided: which oldest turns (if any) go into the summary now.</summary>
/// <param name="TurnsToFold">Oldest turns to summarize, oldest first; empty when no fold is due.</param>
/// <param name="TurnsToKeep">Turns that stay verbatim in the unsummarized window, oldest first.</param>
/// <param name="WindowTokens">Window size before the fold, with the incoming tokens.</param>
/// <param name="WindowTokensAfterFold">Window size after the fold, with the incoming tokens.</param>
public sealed record FoldPlan(
    IReadOnlyList<ConversationTurn> TurnsToFold,
    IReadOnlyList<ConversationTurn> TurnsToKeep,
    int WindowTokens,
    int WindowTokensAfterFold)
{
    /// <summary>True when turns must be folded into the summary before the next prompt.</summary>
    public bool ShouldFold => TurnsToFold.Count > 0;
}
