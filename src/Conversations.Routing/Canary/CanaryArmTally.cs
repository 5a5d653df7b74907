using Conversations.Routing.Health;

namespace Conversations.Routing.Canary;

/// <summary>
/// Running counts for one canary arm, as an immutable record a grain can persist: each outcome returns a new tally.
/// Only the latest <see cref="MaxLatencySamples"/> first-token latencies are kept, which bounds the state.
/// </summary>
public sealed record CanaryArmTally
{
    /// <summary>Latency samples kept for the p95.</summary>
    public const int MaxLatencySamples = 1000;

    /// <summary>Turns served.</summary>
    public int Turns { get; init; }

    /// <summary>Turns that failed on this arm's model.</summary>
    public int Errors { get; init; }

    /// <summary>Feedback votes on this arm's answers.</summary>
    public int FeedbackVotes { get; init; }

    /// <summary>Thumbs-down votes among them.</summary>
    public int NegativeVotes { get; init; }

    /// <summary>Recent time-to-first-token samples in milliseconds, oldest first.</summary>
    public IReadOnlyList<double> FirstTokenMs { get; init; } = [];

    /// <summary>The tally after one more turn; <paramref name="firstTokenMs"/> is null when no token came.</summary>
    public CanaryArmTally WithTurn(bool failed, double? firstTokenMs)
    {
        var samples = FirstTokenMs;
        if (firstTokenMs is { } ms)
        {
            // A plain array: grain storage names the list's type, and cannot rebuild a collection expression's own type.
            samples = FirstTokenMs.Skip(Math.Max(0, FirstTokenMs.Count + 1 - MaxLatencySamples)).Append(ms).ToArray();
        }

        return this with { Turns = Turns + 1, Errors = Errors + (failed ? 1 : 0), FirstTokenMs = samples };
    }

    /// <summary>The tally after one more feedback vote.</summary>
    public CanaryArmTally WithFeedback(bool negative) =>
        this with { FeedbackVotes = FeedbackVotes + 1, NegativeVotes = NegativeVotes + (negative ? 1 : 0) };

    /// <summary>The tally after a voter changed their vote on an answer already counted: the last vote wins.</summary>
    public CanaryArmTally WithChangedVote(bool negative) =>
        this with { NegativeVotes = Math.Clamp(NegativeVotes + (negative ? 1 : -1), 0, FeedbackVotes) };

    /// <summary>The figures the evaluator compares.</summary>
    public CanaryArmStats ToStats() =>
        new(Turns, Errors, Percentiles.NearestRank(FirstTokenMs.Order().ToArray(), 0.95), FeedbackVotes, NegativeVotes);
}
