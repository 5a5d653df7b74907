namespace Conversations.Benchmarks.Prompting.Replay;

/// <summary>Settings for a <see cref="ConversationReplay"/> run.</summary>
public sealed record ReplayOptions
{
    /// <summary>Turns to simulate.</summary>
    public int Turns { get; init; } = 50;

    /// <summary>Seed of the scripted user and answers: the same seed gives the same conversation.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Retrieved passages added to each question (0 for a conversation without retrieval).</summary>
    public int ChunksPerTurn { get; init; } = 2;

    /// <summary>The budget under test.</summary>
    public ContextBudget Budget { get; init; } = ContextBudget.Default;

    /// <summary>The system prompt sent first (the platform default).</summary>
    public string SystemPrompt { get; init; } = PlatformPrompt.Default;

    /// <summary>The tenant's instructions.</summary>
    public string TenantInstructions { get; init; } = ReplayScript.DefaultTenantInstructions;

    /// <summary>The tenant's concise-answer instruction.</summary>
    public string ConciseAnswerInstruction { get; init; } = ReplayScript.DefaultConciseInstruction;
}
