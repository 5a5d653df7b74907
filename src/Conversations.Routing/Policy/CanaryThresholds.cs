namespace Conversations.Routing.Policy;

/// <summary>
/// When a canary is judged: minimum samples per arm before any verdict, the worst tolerated regressions of the
/// candidate against the baseline, and how many candidate turns make it ready to promote.
/// </summary>
public sealed record CanaryThresholds
{
    /// <summary>Turns each arm needs before errors or latency are compared (default 200).</summary>
    public int MinTurnsPerArm { get; init; } = 200;

    /// <summary>Largest tolerated rise of the error rate, as an absolute difference (default 0.02 = 2 points).</summary>
    public double MaxErrorRateIncrease { get; init; } = 0.02;

    /// <summary>Largest tolerated ratio of candidate to baseline time-to-first-token p95 (default 1.5).</summary>
    public double MaxTtftP95Ratio { get; init; } = 1.5;

    /// <summary>Feedback votes each arm needs before negative feedback is compared (default 30).</summary>
    public int MinFeedbackPerArm { get; init; } = 30;

    /// <summary>Largest tolerated rise of the thumbs-down share, as an absolute difference (default 0.10).</summary>
    public double MaxNegativeFeedbackIncrease { get; init; } = 0.10;

    /// <summary>Candidate turns after which a candidate with no regression is ready to promote (default 1000).</summary>
    public int PromoteAfterTurns { get; init; } = 1000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        Require(MinTurnsPerArm >= 1, $"canary minimum turns per arm {MinTurnsPerArm} must be at least 1");
        Require(MaxErrorRateIncrease is >= 0 and <= 1, $"canary max error-rate increase {MaxErrorRateIncrease} must be between 0 and 1");
        Require(MaxTtftP95Ratio >= 1, $"canary max TTFT p95 ratio {MaxTtftP95Ratio} must be at least 1");
        Require(MinFeedbackPerArm >= 1, $"canary minimum feedback per arm {MinFeedbackPerArm} must be at least 1");
        Require(MaxNegativeFeedbackIncrease is >= 0 and <= 1, $"canary max negative-feedback increase {MaxNegativeFeedbackIncrease} must be between 0 and 1");
        Require(PromoteAfterTurns >= MinTurnsPerArm, $"canary promote-after turns {PromoteAfterTurns} must be at least the minimum turns per arm {MinTurnsPerArm}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message + ".");
        }
    }
}
