namespace Conversations.Contracts.Drift;

/// <summary>
/// One finished turn as the drift sketch hears it: the question (as the model saw it) with its embedding when
/// retrieval made one, and how the turn ended.
/// </summary>
/// <param name="Vector">The question's embedding from retrieval; null when none was made (the drift grain embeds <paramref name="TextToEmbed"/>).</param>
/// <param name="Refused">Refused by moderation or the router.</param>
/// <param name="Answered">An answer was delivered.</param>
/// <param name="Searched">The knowledge base was searched.</param>
/// <param name="NoSources">The search found no source the user may read.</param>
/// <param name="Fallback">The answer came from other than the first model of the turn's chain.</param>
/// <param name="AnswerChars">The delivered answer's length.</param>
/// <param name="TextToEmbed">
/// The question as the embedding model may receive it (masked for an outside endpoint under the tenant's
/// personal-data policy, as retrieval embeds it); null: the sample is counted without an embedding.
/// </param>
[GenerateSerializer, Immutable, Alias("drift-sample")]
public sealed record DriftSample(
    [property: Id(0)] string Question,
    [property: Id(1)] float[]? Vector,
    [property: Id(2)] bool Refused,
    [property: Id(3)] bool Answered,
    [property: Id(4)] bool Searched,
    [property: Id(5)] bool NoSources,
    [property: Id(6)] bool Fallback,
    [property: Id(7)] int AnswerChars,
    [property: Id(8)] string? TextToEmbed = null)
{
    /// <summary>The user who asked: a sampled embedding is kept with it, so that user's erasure removes it.</summary>
    [Id(9)] public string? UserId { get; init; }
}

/// <summary>A tenant's drift thresholds and schedule (see the drift statistics for what each compares).</summary>
[GenerateSerializer, Immutable, Alias("drift-thresholds")]
public sealed record DriftThresholds
{
    /// <summary>PSI over topic clusters.</summary>
    [Id(0)] public double TopicPsi { get; init; }
    /// <summary>Cosine distance between mean question embeddings.</summary>
    [Id(1)] public double CentroidShift { get; init; }
    /// <summary>Ratio of spreads around the mean embedding.</summary>
    [Id(2)] public double SpreadRatio { get; init; }
    /// <summary>PSI over language buckets.</summary>
    [Id(3)] public double LanguagePsi { get; init; }
    /// <summary>PSI over question length buckets.</summary>
    [Id(4)] public double QuestionLengthPsi { get; init; }
    /// <summary>PSI over answer length buckets.</summary>
    [Id(5)] public double AnswerLengthPsi { get; init; }
    /// <summary>Rise of the refusal rate.</summary>
    [Id(6)] public double RefusalRateIncrease { get; init; }
    /// <summary>Rise of the "no sources found" rate.</summary>
    [Id(7)] public double NoSourcesRateIncrease { get; init; }
    /// <summary>Rise of the fallback rate.</summary>
    [Id(8)] public double FallbackRateIncrease { get; init; }
    /// <summary>Rise of thumbs-down votes per answer.</summary>
    [Id(9)] public double NegativeFeedbackRateIncrease { get; init; }
    /// <summary>Fewest questions a window needs to be compared or taken as the reference.</summary>
    [Id(10)] public int MinSamples { get; init; }
    /// <summary>Questions the first window collects before it becomes the reference on its own.</summary>
    [Id(11)] public int ReferenceSamples { get; init; }
    /// <summary>Minutes between scheduled checks.</summary>
    [Id(12)] public int CheckPeriodMinutes { get; init; }
}

/// <summary>One compared signal (see the drift statistics): its statistic, value, threshold and the noise level it must also pass.</summary>
[GenerateSerializer, Immutable, Alias("drift-signal")]
public sealed record DriftSignalResult(
    [property: Id(0)] string Name,
    [property: Id(1)] string Side,
    [property: Id(2)] string Statistic,
    [property: Id(3)] double Value,
    [property: Id(4)] double Threshold,
    [property: Id(5)] double? NoiseLevel,
    [property: Id(6)] double? Reference,
    [property: Id(7)] double? Current,
    [property: Id(8)] bool Breached);

/// <summary>What one drift check found.</summary>
/// <param name="Outcome">"no_reference", "too_few_samples", "steady" or "drifted".</param>
/// <param name="EventId">The stored drift event when <paramref name="Outcome"/> is "drifted".</param>
[GenerateSerializer, Immutable, Alias("drift-report")]
public sealed record DriftReport(
    [property: Id(0)] DateTimeOffset CheckedAt,
    [property: Id(1)] string Outcome,
    [property: Id(2)] long Questions,
    [property: Id(3)] long ReferenceQuestions,
    [property: Id(4)] IReadOnlyList<DriftSignalResult> Signals,
    [property: Id(5)] long? EventId);

/// <summary>A tenant's drift sketch now: thresholds, the reference window, the current window and the last check.</summary>
[GenerateSerializer, Immutable, Alias("drift-status")]
public sealed record DriftStatus(
    [property: Id(0)] DriftThresholds Thresholds,
    [property: Id(1)] DateTimeOffset? ReferenceFrom,
    [property: Id(2)] DateTimeOffset? ReferenceTo,
    [property: Id(3)] long ReferenceQuestions,
    [property: Id(4)] DateTimeOffset WindowStartedAt,
    [property: Id(5)] long WindowQuestions,
    [property: Id(6)] DriftReport? LastReport)
{
    /// <summary>Question embeddings the current window keeps as its topic sample (at most 200; a user's erasure removes theirs).</summary>
    [Id(7)] public int WindowSampled { get; init; }
}

/// <summary>A stored drift event: a check that breached at least one signal.</summary>
public sealed record DriftEvent(long Id, string TenantId, DateTimeOffset At, IReadOnlyList<string> Breached, DriftReport Report);

/// <summary>A page of drift events, newest first; <see cref="NextBefore"/> pages on.</summary>
public sealed record DriftEventPage(IReadOnlyList<DriftEvent> Events, long? NextBefore);

/// <summary>The stored drift events, for admins: a tenant's own, or every tenant's for the operator.</summary>
public interface IDriftEventLog
{
    /// <summary>Events newest first, of one tenant (all tenants when <paramref name="tenantId"/> is null), with ids below <paramref name="before"/>.</summary>
    Task<DriftEventPage> ListAsync(string? tenantId, long? before, int limit, CancellationToken ct);
}
