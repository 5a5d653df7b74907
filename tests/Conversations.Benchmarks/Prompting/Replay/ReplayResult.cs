namespace Conversations.Benchmarks.Prompting.Replay;

/// <summary>Per-turn figures of a replay and their totals.</summary>
/// <param name="Turns">One entry per turn.</param>
/// <param name="Budget">The budget replayed.</param>
/// <param name="FinalSummary">The conversation summary after the last turn.</param>
/// <param name="FinalMemory">The user memory after the last turn.</param>
public sealed record ReplayResult(IReadOnlyList<ReplayTurn> Turns, ContextBudget Budget, string FinalSummary, UserMemory FinalMemory)
{
    /// <summary>Prompt tokens sent over all turns.</summary>
    public long PromptTokens => Turns.Sum(t => (long)t.PromptTokens);

    /// <summary>Prompt tokens a full-history client would have sent.</summary>
    public long FullHistoryTokens => Turns.Sum(t => (long)t.FullHistoryTokens);

    /// <summary>1 − sent / full history.</summary>
    public double Reduction => FullHistoryTokens == 0 ? 0 : 1 - (double)PromptTokens / FullHistoryTokens;

    /// <summary>Turns on which a fold happened.</summary>
    public int Folds => Turns.Count(t => t.Folded);

    /// <summary>Turns on which the budget forced something out of the prompt.</summary>
    public int TrimmedTurns => Turns.Count(t => t.Trimmed);

    /// <summary>Lowest cached share over steady turns (1 when there are none).</summary>
    public double MinSteadyCachedShare => Turns.Where(t => t.Steady).Select(t => t.CachedShare).DefaultIfEmpty(1).Min();

    /// <summary>Mean cached share over steady turns.</summary>
    public double MeanSteadyCachedShare => Turns.Where(t => t.Steady).Select(t => t.CachedShare).DefaultIfEmpty(1).Average();

    /// <summary>Mean share of the leading system message over steady turns.</summary>
    public double MeanSteadyStablePrefixShare => Turns.Where(t => t.Steady).Select(t => t.StablePrefixShare).DefaultIfEmpty(1).Average();

    /// <summary>Input cost of this platform's prompts relative to the full-history client's, both with prefix caching.</summary>
    public double RelativeInputCost(TokenPrices prices)
    {
        var ours = Turns.Sum(t => prices.Cost(t.PromptTokens, t.CachedPrefixTokens, 0));
        var full = Turns.Sum(t => prices.Cost(t.FullHistoryTokens, t.FullHistoryCachedTokens, 0));
        return full == 0 ? 0 : (double)(ours / full);
    }
}
