using Conversations.Contracts.Tenancy;

namespace Conversations.Grains.Tenancy;

/// <summary>Checks a settings patch; throws <see cref="ArgumentException"/> with a message fit for the API's 400.</summary>
internal static class TenantSettingsValidator
{
    /// <summary>Smallest context budget that still leaves room for a prompt.</summary>
    public const int MinContextBudgetTokens = 1000;
    /// <summary>Largest context budget accepted (the biggest context windows in use).</summary>
    public const int MaxContextBudgetTokens = 1_000_000;

    /// <summary>Most starter questions the chat shows.</summary>
    public const int MaxStarterQuestions = 6;
    /// <summary>Longest concise-answer instruction, in characters.</summary>
    public const int MaxConciseInstructionChars = 2_000;

    /// <summary>Longest starter question, in characters.</summary>
    public const int MaxStarterQuestionChars = 200;

    /// <summary>Returns the settings with the patch applied, or throws when the result is inconsistent.</summary>
    public static TenantSettings Apply(TenantSettings current, TenantSettingsPatch patch)
    {
        var next = current with
        {
            Name = patch.Name?.Trim() ?? current.Name,
            Instructions = patch.Instructions ?? current.Instructions,
            ContextBudgetTokens = patch.ContextBudgetTokens ?? current.ContextBudgetTokens,
            SummaryThresholdTokens = patch.SummaryThresholdTokens ?? current.SummaryThresholdTokens,
            MaxOutputTokens = patch.MaxOutputTokens ?? current.MaxOutputTokens,
            ConciseInstruction = patch.ConciseInstruction ?? current.ConciseInstruction,
            StarterQuestions = patch.StarterQuestions is { } starters ? StarterQuestions(starters) : current.StarterQuestions,
        };
        if (next.ContextBudgetTokens is < MinContextBudgetTokens or > MaxContextBudgetTokens)
            throw new ArgumentException($"contextBudgetTokens must be between {MinContextBudgetTokens} and {MaxContextBudgetTokens}.");
        if (next.MaxOutputTokens < 16 || next.MaxOutputTokens > next.ContextBudgetTokens / 2)
            throw new ArgumentException("maxOutputTokens must be at least 16 and at most half of contextBudgetTokens.");
        if (next.SummaryThresholdTokens < 200 || next.SummaryThresholdTokens > next.ContextBudgetTokens - next.MaxOutputTokens)
            throw new ArgumentException("summaryThresholdTokens must be at least 200 and leave room for the answer inside contextBudgetTokens.");
        if (next.Instructions.Length > 20_000) throw new ArgumentException("instructions must be at most 20,000 characters.");
        // It goes into every prompt next to the instructions: past this it would crowd out memory and the summary.
        if (next.ConciseInstruction is { Length: > MaxConciseInstructionChars })
            throw new ArgumentException("conciseInstruction must be at most 2,000 characters.");
        if (patch.Name is not null && next.Name.Length == 0) throw new ArgumentException("name must not be empty: it is the name your people see. Leave it out to keep the current one.");
        if (next.Name.Length > 200) throw new ArgumentException("name must be at most 200 characters.");
        var problems = Chat.ChatBudgets.For(next).Validate();
        if (problems.Count > 0) throw new ArgumentException("The budgets do not fit together: " + string.Join(" ", problems));
        return next;
    }

    // The chat shows them as buttons under its welcome: a few short, non-blank questions, trimmed.
    private static List<string> StarterQuestions(IReadOnlyList<string> questions)
    {
        if (questions.Count > MaxStarterQuestions)
            throw new ArgumentException($"starterQuestions may hold at most {MaxStarterQuestions} questions; it has {questions.Count}.");
        var trimmed = new List<string>(questions.Count);
        for (var i = 0; i < questions.Count; i++)
        {
            var q = questions[i]?.Trim() ?? "";
            if (q.Length == 0) throw new ArgumentException($"starterQuestions[{i}] is blank: each starter question needs text.");
            if (q.Length > MaxStarterQuestionChars)
                throw new ArgumentException($"starterQuestions[{i}] has {q.Length} characters; a starter question may have at most {MaxStarterQuestionChars}.");
            trimmed.Add(q);
        }
        return trimmed;
    }
}
