using Conversations.Prompting.History;

namespace Conversations.Prompting.Budget;

/// <summary>
/// Token-based window decisions (never message counts, never half turns): when to fold old turns into the summary,
/// and what of the window, the retrieved chunks and the question fits in one prompt. Stateless and thread-safe.
/// </summary>
public sealed class ContextWindowPlanner
{
    /// <summary>A planner for a validated budget.</summary>
    public ContextWindowPlanner(ContextBudget budget) => Budget = budget.EnsureValid();

    /// <summary>The budget this planner keeps.</summary>
    public ContextBudget Budget { get; }

    /// <summary>
    /// Decides whether the unsummarized window must fold: only when it (with <paramref name="incomingTokens"/>, e.g. the
    /// new question) would pass the threshold; then the oldest whole turns fold in one step until the rest is at or
    /// below the target (keeping the newest turn when it fits), so the summary — part of the cached prefix — changes rarely.
    /// </summary>
    public FoldPlan PlanFold(IReadOnlyList<ConversationTurn> unsummarizedTurns, int incomingTokens = 0)
    {
        var window = incomingTokens + unsummarizedTurns.Sum(t => t.TokenCount);
        if (window <= Budget.SummaryThresholdTokens)
            return new FoldPlan([], unsummarizedTurns, window, window);

        var after = window;
        var fold = 0;
        // The newest turn stays verbatim (a follow-up usually refers to it) unless it alone passes the threshold.
        var foldable = unsummarizedTurns.Count == 0 || incomingTokens + unsummarizedTurns[^1].TokenCount > Budget.SummaryThresholdTokens
            ? unsummarizedTurns.Count
            : unsummarizedTurns.Count - 1;
        while (fold < foldable && after > Budget.SummaryTargetTokens)
            after -= unsummarizedTurns[fold++].TokenCount;
        return new FoldPlan(unsummarizedTurns.Take(fold).ToArray(), unsummarizedTurns.Skip(fold).ToArray(), window, after);
    }

    /// <summary>
    /// Fits one prompt into the input budget. <paramref name="fixedTokens"/> is what is always sent (stable prefix and
    /// framing); over budget, the lowest-ranked chunks go first, then the oldest turns, and last the question is cut.
    /// </summary>
    /// <param name="fixedTokens">Prefix, final-message framing and reply priming.</param>
    /// <param name="turns">Unsummarized turns, oldest first.</param>
    /// <param name="chunkTokens">Prompt cost of each retrieved chunk, best first.</param>
    /// <param name="questionTokens">Prompt cost of the question.</param>
    public WindowPlan PlanWindow(int fixedTokens, IReadOnlyList<ConversationTurn> turns, IReadOnlyList<int> chunkTokens, int questionTokens)
    {
        var limit = Budget.InputBudgetTokens;
        var turnsTotal = turns.Sum(t => t.TokenCount);
        var chunksTotal = chunkTokens.Sum();
        var chunks = chunkTokens.Count;
        var total = fixedTokens + turnsTotal + chunksTotal + questionTokens;

        while (total > limit && chunks > 0) total -= chunkTokens[--chunks];
        var omitted = 0;
        while (total > limit && omitted < turns.Count) total -= turns[omitted++].TokenCount;

        var questionLimit = questionTokens;
        if (total > limit)
        {
            questionLimit = Math.Max(0, questionTokens - (total - limit));
            total = fixedTokens + questionLimit;
        }
        return new WindowPlan(turns.Count - omitted, omitted, chunks, questionLimit, questionLimit < questionTokens, total);
    }
}
