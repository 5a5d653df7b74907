namespace Conversations.Benchmarks.Prompting.Replay;

/// <summary>What one replayed turn sent, against what a client sending the full history would have sent.</summary>
/// <param name="Turn">1-based turn number.</param>
/// <param name="PromptTokens">Prompt tokens this platform sent.</param>
/// <param name="FullHistoryTokens">Prompt tokens with the whole history verbatim (no summary, no trimming).</param>
/// <param name="StablePrefixTokens">Tokens of the leading system message (system prompt … summary).</param>
/// <param name="CachedPrefixTokens">Tokens identical to the start of the previous prompt: what a prefix cache can serve.</param>
/// <param name="FullHistoryCachedTokens">The same for the full-history client.</param>
/// <param name="Folded">True when turns were folded into the summary before this prompt.</param>
/// <param name="FoldedTurns">How many turns were folded.</param>
/// <param name="MemoryChanged">True when the user's memory changed on this turn (the prefix changes with it).</param>
/// <param name="WindowTurns">History turns sent verbatim.</param>
/// <param name="SummaryTokens">Tokens of the conversation summary.</param>
/// <param name="Trimmed">True when the budget forced anything out.</param>
public sealed record ReplayTurn(
    int Turn,
    int PromptTokens,
    int FullHistoryTokens,
    int StablePrefixTokens,
    int CachedPrefixTokens,
    int FullHistoryCachedTokens,
    bool Folded,
    int FoldedTurns,
    bool MemoryChanged,
    int WindowTurns,
    int SummaryTokens,
    bool Trimmed)
{
    /// <summary>Share of the prompt in the leading system message.</summary>
    public double StablePrefixShare => PromptTokens == 0 ? 0 : (double)StablePrefixTokens / PromptTokens;

    /// <summary>Share of the prompt that repeats the previous prompt's start.</summary>
    public double CachedShare => PromptTokens == 0 ? 0 : (double)CachedPrefixTokens / PromptTokens;

    /// <summary>True when the prefix stayed as it was: not the first turn, no fold, no memory change.</summary>
    public bool Steady => Turn > 1 && !Folded && !MemoryChanged;
}
