namespace Conversations.Prompting.Budget;

/// <summary>What fits in one prompt: the newest whole turns, the best chunks and how much of the question.</summary>
/// <param name="IncludedTurnCount">How many of the newest turns go verbatim.</param>
/// <param name="OmittedTurnCount">Older unsummarized turns left out to keep the budget (they stay in the window and fold later).</param>
/// <param name="IncludedChunkCount">How many of the highest-ranked chunks go in.</param>
/// <param name="QuestionTokenLimit">Token limit for the question; below its size it must be truncated.</param>
/// <param name="QuestionTruncated">True when the question alone did not fit.</param>
/// <param name="EstimatedPromptTokens">Sum of the parts' counts with framing.</param>
public sealed record WindowPlan(
    int IncludedTurnCount,
    int OmittedTurnCount,
    int IncludedChunkCount,
    int QuestionTokenLimit,
    bool QuestionTruncated,
    int EstimatedPromptTokens);
