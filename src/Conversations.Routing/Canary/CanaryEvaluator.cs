using Conversations.Routing.Policy;

namespace Conversations.Routing.Canary;

/// <summary>
/// Compares a canary's candidate with its baseline (a new model must not be worse than the old one) on
/// error rate, time-to-first-token p95 and negative feedback. Nothing is judged before both arms have the minimum
/// samples, so a few early failures cannot roll back a good model; after that any regression past a threshold
/// rolls it back, and a candidate with enough turns and no regression is ready to promote.
/// </summary>
public static class CanaryEvaluator
{
    /// <summary>The verdict for <paramref name="candidate"/> against <paramref name="baseline"/> under <paramref name="thresholds"/>.</summary>
    public static CanaryVerdict Evaluate(CanaryArmStats candidate, CanaryArmStats baseline, CanaryThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(thresholds);

        if (candidate.Turns < thresholds.MinTurnsPerArm || baseline.Turns < thresholds.MinTurnsPerArm)
        {
            return new(CanaryOutcome.Continue,
                $"waiting for samples: candidate {candidate.Turns}, baseline {baseline.Turns} of {thresholds.MinTurnsPerArm} turns each");
        }

        var errorRise = candidate.ErrorRate - baseline.ErrorRate;
        if (errorRise > thresholds.MaxErrorRateIncrease)
        {
            return new(CanaryOutcome.Rollback,
                $"error rate {candidate.ErrorRate:P1} vs baseline {baseline.ErrorRate:P1} (rise {errorRise:P1} > {thresholds.MaxErrorRateIncrease:P1})");
        }

        if (candidate.FirstTokenP95Ms is { } candidateP95 && baseline.FirstTokenP95Ms is { } baselineP95 && baselineP95 > 0
            && candidateP95 > baselineP95 * thresholds.MaxTtftP95Ratio)
        {
            return new(CanaryOutcome.Rollback,
                $"time to first token p95 {candidateP95:0} ms vs baseline {baselineP95:0} ms (over {thresholds.MaxTtftP95Ratio:0.##}×)");
        }

        var feedbackJudged = candidate.FeedbackVotes >= thresholds.MinFeedbackPerArm && baseline.FeedbackVotes >= thresholds.MinFeedbackPerArm;
        if (feedbackJudged)
        {
            var negativeRise = candidate.NegativeFeedbackRate - baseline.NegativeFeedbackRate;
            if (negativeRise > thresholds.MaxNegativeFeedbackIncrease)
            {
                return new(CanaryOutcome.Rollback,
                    $"negative feedback {candidate.NegativeFeedbackRate:P1} vs baseline {baseline.NegativeFeedbackRate:P1} (rise {negativeRise:P1} > {thresholds.MaxNegativeFeedbackIncrease:P1})");
            }
        }

        if (candidate.Turns >= thresholds.PromoteAfterTurns)
        {
            return new(CanaryOutcome.ReadyToPromote,
                $"{candidate.Turns} candidate turns without regression in errors or latency"
                + (feedbackJudged ? " or feedback" : "; too few feedback votes to compare"));
        }

        return new(CanaryOutcome.Continue,
            $"no regression so far; {candidate.Turns} of {thresholds.PromoteAfterTurns} candidate turns before promotion");
    }
}
