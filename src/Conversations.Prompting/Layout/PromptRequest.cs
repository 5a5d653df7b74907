using Conversations.Prompting.History;
using Conversations.Prompting.Memory;

namespace Conversations.Prompting.Layout;

/// <summary>Everything one prompt is built from, most stable first.</summary>
public sealed record PromptRequest
{
    /// <summary>The platform's system prompt.</summary>
    public required string SystemPrompt { get; init; }

    /// <summary>The tenant's own instructions (tone, domain, rules), if any.</summary>
    public string? TenantInstructions { get; init; }

    /// <summary>The tenant's concise-answer instruction (e.g. "Answer in at most three sentences."), if set.</summary>
    public string? ConciseAnswerInstruction { get; init; }

    /// <summary>Durable facts about the user, from <see cref="UserMemory"/>.</summary>
    public IReadOnlyList<MemoryFact> MemoryFacts { get; init; } = [];

    /// <summary>The running summary of the folded turns, if any.</summary>
    public string? ConversationSummary { get; init; }

    /// <summary>Unsummarized turns, oldest first; the newest that fit go verbatim.</summary>
    public IReadOnlyList<ConversationTurn> RecentTurns { get; init; } = [];

    /// <summary>Retrieved passages, best first.</summary>
    public IReadOnlyList<RetrievedChunk> Chunks { get; init; } = [];

    /// <summary>The user's new message, with its token count from append time.</summary>
    public required ChatTurnMessage Question { get; init; }
}
