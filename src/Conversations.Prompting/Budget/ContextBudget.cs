namespace Conversations.Prompting.Budget;

/// <summary>
/// A tenant's token budget for one model call and the window/summary thresholds that keep it. The recent window grows
/// append-only (so each prompt repeats the previous one as a cacheable prefix) until it would pass
/// <see cref="SummaryThresholdTokens"/>; then its oldest turns fold into the summary in one step, down to
/// <see cref="SummaryTargetTokens"/>.
/// The defaults keep about five recent turns verbatim and fold every five or six turns; on the 50-turn replay they send
/// about 70 % fewer prompt tokens than the full history while 80–90 % of each prompt repeats the previous one (cacheable).
/// </summary>
public sealed record ContextBudget
{
    /// <summary>Default whole-call budget: prompt plus the answer.</summary>
    public const int DefaultContextBudgetTokens = 4000;

    /// <summary>Default window size at which the oldest turns are folded into the summary.</summary>
    public const int DefaultSummaryThresholdTokens = 1000;

    /// <summary>Default window size left after a fold.</summary>
    public const int DefaultSummaryTargetTokens = 200;

    /// <summary>Default upper bound of the conversation summary.</summary>
    public const int DefaultMaxSummaryTokens = 300;

    /// <summary>Default answer length limit, passed to the model as max_tokens.</summary>
    public const int DefaultMaxOutputTokens = 512;

    /// <summary>The budget's defaults.</summary>
    public static ContextBudget Default { get; } = new();

    /// <summary>Tokens one model call may use: the prompt plus the reserved answer.</summary>
    public int ContextBudgetTokens { get; init; } = DefaultContextBudgetTokens;

    /// <summary>When the unsummarized window (with the incoming message) would pass this, the oldest turns are folded.</summary>
    public int SummaryThresholdTokens { get; init; } = DefaultSummaryThresholdTokens;

    /// <summary>The window is shrunk to at most this many tokens by a fold.</summary>
    public int SummaryTargetTokens { get; init; } = DefaultSummaryTargetTokens;

    /// <summary>The summary never grows past this many tokens.</summary>
    public int MaxSummaryTokens { get; init; } = DefaultMaxSummaryTokens;

    /// <summary>Reserved for the answer and sent as max_tokens.</summary>
    public int MaxOutputTokens { get; init; } = DefaultMaxOutputTokens;

    /// <summary>Tokens the prompt may use: the budget less the reserved answer.</summary>
    public int InputBudgetTokens => ContextBudgetTokens - MaxOutputTokens;

    /// <summary>Problems with these settings, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ContextBudgetTokens < 256) errors.Add($"{nameof(ContextBudgetTokens)} must be at least 256 (is {ContextBudgetTokens}).");
        if (MaxOutputTokens < 1) errors.Add($"{nameof(MaxOutputTokens)} must be positive (is {MaxOutputTokens}).");
        if (MaxOutputTokens > ContextBudgetTokens / 2)
            errors.Add($"{nameof(MaxOutputTokens)} ({MaxOutputTokens}) must leave at least half of {nameof(ContextBudgetTokens)} ({ContextBudgetTokens}) to the prompt.");
        if (SummaryTargetTokens < 0) errors.Add($"{nameof(SummaryTargetTokens)} must not be negative (is {SummaryTargetTokens}).");
        if (SummaryTargetTokens >= SummaryThresholdTokens)
            errors.Add($"{nameof(SummaryTargetTokens)} ({SummaryTargetTokens}) must be below {nameof(SummaryThresholdTokens)} ({SummaryThresholdTokens}), or every turn would fold.");
        if (MaxSummaryTokens < 32) errors.Add($"{nameof(MaxSummaryTokens)} must be at least 32 (is {MaxSummaryTokens}).");
        // The window at its threshold plus a full summary must still fit, or trimming (and cache misses) would be routine.
        if (SummaryThresholdTokens + MaxSummaryTokens > InputBudgetTokens)
            errors.Add($"{nameof(SummaryThresholdTokens)} + {nameof(MaxSummaryTokens)} ({SummaryThresholdTokens + MaxSummaryTokens}) must fit in the prompt budget ({InputBudgetTokens}).");
        return errors;
    }

    /// <summary>Returns this budget, or throws <see cref="ArgumentException"/> listing what is wrong with it.</summary>
    public ContextBudget EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new ArgumentException("Invalid context budget: " + string.Join(" ", errors));
    }
}
