namespace Conversations.Contracts.Chat;

/// <summary>One event of a streamed chat turn, in the order the client sees them.</summary>
[GenerateSerializer, Alias("chat-event")]
public abstract record ChatEvent;

/// <summary>What the turn is doing now ("checking", "searching 3 sources…", "generating…").</summary>
[GenerateSerializer, Immutable, Alias("chat-event.progress")]
public sealed record ProgressEvent([property: Id(0)] string Stage, [property: Id(1)] string Message) : ChatEvent;

/// <summary>The next piece of the answer text.</summary>
[GenerateSerializer, Immutable, Alias("chat-event.delta")]
public sealed record DeltaEvent([property: Id(0)] string Text) : ChatEvent;

/// <summary>A knowledge-base chunk the answer is grounded in.</summary>
[GenerateSerializer, Immutable, Alias("chat-event.citation")]
public sealed record CitationEvent(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] string DocumentTitle,
    [property: Id(2)] int ChunkIndex,
    [property: Id(3)] double Score) : ChatEvent;

/// <summary>The turn finished: the stored message ids and what it cost.</summary>
[GenerateSerializer, Immutable, Alias("chat-event.done")]
public sealed record DoneEvent(
    [property: Id(0)] string TurnId,
    [property: Id(1)] long UserMessageSeq,
    [property: Id(2)] long AssistantMessageSeq,
    [property: Id(3)] TurnUsage Usage,
    [property: Id(4)] string Model,
    [property: Id(5)] string FinishReason) : ChatEvent
{
    /// <summary>Why this model answered (routing decision), or what answered without one (cache, canned reply).</summary>
    [Id(6)] public string? Route { get; init; }
    /// <summary>True when a backup model finished an answer another model started.</summary>
    [Id(7)] public bool Continued { get; init; }
}

/// <summary>The turn could not finish; <see cref="Code"/> is stable, <see cref="Message"/> is for people.</summary>
[GenerateSerializer, Immutable, Alias("chat-event.error")]
public sealed record ErrorEvent(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message,
    [property: Id(2)] bool Retryable) : ChatEvent
{
    /// <summary>The sentence a model failure adds when part of the answer was streamed before it (and stored).</summary>
    public const string PartialAnswerSaved = " The partial answer above is saved.";

    /// <summary>This error for a client that was shown none of the answer (a whole completion): without <see cref="PartialAnswerSaved"/>.</summary>
    public ErrorEvent ForClientWithoutPartialAnswer() => this with { Message = Message.Replace(PartialAnswerSaved, "", StringComparison.Ordinal) };

    /// <summary>For refusals: the risk level that caused it ("low", "medium", "high").</summary>
    [Id(3)] public string? RiskLevel { get; init; }
    /// <summary>For refusals: the labels that caused it (e.g. "profanity", "pii").</summary>
    [Id(4)] public IReadOnlyList<string>? Labels { get; init; }
}

/// <summary>Token usage of one turn as the model reported it (or as counted locally when it did not).</summary>
[GenerateSerializer, Immutable, Alias("turn-usage")]
public sealed record TurnUsage(
    [property: Id(0)] int PromptTokens,
    [property: Id(1)] int CachedPromptTokens,
    [property: Id(2)] int CompletionTokens,
    [property: Id(3)] decimal CostUsd)
{
    /// <summary>No tokens used.</summary>
    public static readonly TurnUsage None = new(0, 0, 0, 0m);
}
