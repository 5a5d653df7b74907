using Orleans.Concurrency;

namespace Conversations.Contracts.Routing;

/// <summary>One canary arm's figures.</summary>
[GenerateSerializer, Immutable, Alias("canary-arm-view")]
public sealed record CanaryArmView(
    [property: Id(0)] int Turns,
    [property: Id(1)] int Errors,
    [property: Id(2)] double ErrorRate,
    [property: Id(3)] double? FirstTokenP95Ms,
    [property: Id(4)] int FeedbackVotes,
    [property: Id(5)] int NegativeVotes);

/// <summary>A canary's tallies and the evaluator's verdict ("continue", "rollback", "ready-to-promote").</summary>
[GenerateSerializer, Immutable, Alias("canary-view")]
public sealed record CanaryView(
    [property: Id(0)] string? CandidateModelId,
    [property: Id(1)] CanaryArmView Candidate,
    [property: Id(2)] CanaryArmView Baseline,
    [property: Id(3)] string Verdict,
    [property: Id(4)] string Reason);

/// <summary>
/// A tenant's canary tallies, key <c>{tenant}</c>: per-arm turns, errors, latency and feedback for the current
/// candidate. After each outcome it evaluates the canary and rolls it back through the config grain past a threshold.
/// </summary>
[Alias("canary")]
public interface ICanaryGrain : IGrainWithStringKey
{
    /// <summary>Counts one turn on an arm ("baseline" or "candidate") of <paramref name="canary"/>; off the turn's path.</summary>
    [OneWay]
    [Alias("record-turn")]
    Task RecordTurnAsync(CanarySettings canary, string arm, bool failed, double? firstTokenMs);

    /// <summary>Counts one feedback vote on an arm of <paramref name="canary"/>.</summary>
    [Alias("record-feedback")]
    Task RecordFeedbackAsync(CanarySettings canary, string arm, bool negative);

    /// <summary>A vote already counted on an arm was changed to <paramref name="negative"/>: the last vote counts.</summary>
    [Alias("change-feedback")]
    Task ChangeFeedbackAsync(CanarySettings canary, string arm, bool negative);

    /// <summary>The tallies and verdict for <paramref name="canary"/> (empty tallies when it is a different candidate).</summary>
    [ReadOnly]
    [Alias("get")]
    Task<CanaryView> GetAsync(CanarySettings? canary);
}
