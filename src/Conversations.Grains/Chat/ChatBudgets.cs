using Conversations.Contracts.Tenancy;
using Conversations.Prompting.Budget;

namespace Conversations.Grains.Chat;

/// <summary>Maps a tenant's settings to the prompt budget the planner and builder use.</summary>
internal static class ChatBudgets
{
    /// <summary>The largest running summary, in tokens.</summary>
    public const int MaxSummaryTokens = 300;

    /// <summary>The budget for a tenant; folding shrinks the window to a fifth of the threshold (hysteresis).</summary>
    public static ContextBudget For(TenantSettings s) => new()
    {
        ContextBudgetTokens = s.ContextBudgetTokens,
        MaxOutputTokens = s.MaxOutputTokens,
        SummaryThresholdTokens = s.SummaryThresholdTokens,
        SummaryTargetTokens = Math.Max(1, s.SummaryThresholdTokens / 5),
        MaxSummaryTokens = Math.Min(MaxSummaryTokens, Math.Max(50, s.ContextBudgetTokens - s.MaxOutputTokens - s.SummaryThresholdTokens)),
    };
}
