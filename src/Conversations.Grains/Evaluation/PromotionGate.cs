using System.Globalization;
using Conversations.Contracts.Evaluation;
using Conversations.Contracts.Routing;
using Conversations.Routing.Canary;

namespace Conversations.Grains.Evaluation;

/// <summary>
/// Compares a candidate with the incumbent: on the evaluation set (fact recall, citation precision, refusal rate, each an
/// absolute margin) and on the live canary (error rate, thumbs-down share, each against the canary's own tolerance, and
/// the evaluator's rollback verdict). Latency, length and cost are shown but not gated. Pure.
/// </summary>
internal static class PromotionGate
{
    /// <summary>Default largest tolerated drop on an evaluation metric (absolute, 0..1).</summary>
    public const double DefaultMargin = 0.05;

    /// <summary>The failures of the evaluation comparison.</summary>
    public static IEnumerable<GateFailure> CompareRuns(EvaluationSummary candidate, EvaluationSummary incumbent, double margin)
    {
        if (candidate.FactRecall < incumbent.FactRecall - margin)
            yield return Fail("factRecall", candidate.FactRecall, incumbent.FactRecall, margin, "lower");
        if (candidate.CitationPrecision < incumbent.CitationPrecision - margin)
            yield return Fail("citationPrecision", candidate.CitationPrecision, incumbent.CitationPrecision, margin, "lower");
        if (candidate.RefusalRate > incumbent.RefusalRate + margin)
            yield return Fail("refusalRate", candidate.RefusalRate, incumbent.RefusalRate, margin, "higher");
    }

    /// <summary>The failures of the live canary figures (only where both arms have figures).</summary>
    public static IEnumerable<GateFailure> CompareLive(CanaryView live, CanarySettings canary)
    {
        if (CanaryOutcomeNames.Parse(live.Verdict) == CanaryOutcome.Rollback)
            yield return new GateFailure("liveVerdict", 0, 0, 0, $"The live canary's verdict is rollback: {live.Reason}");
        if (live.Candidate.Turns > 0 && live.Baseline.Turns > 0 && live.Candidate.ErrorRate > live.Baseline.ErrorRate + canary.MaxErrorRateIncrease)
            yield return Fail("liveErrorRate", live.Candidate.ErrorRate, live.Baseline.ErrorRate, canary.MaxErrorRateIncrease, "higher");
        if (live.Candidate.FeedbackVotes > 0 && live.Baseline.FeedbackVotes > 0)
        {
            var c = (double)live.Candidate.NegativeVotes / live.Candidate.FeedbackVotes;
            var b = (double)live.Baseline.NegativeVotes / live.Baseline.FeedbackVotes;
            if (c > b + canary.MaxNegativeFeedbackIncrease) yield return Fail("liveNegativeFeedback", c, b, canary.MaxNegativeFeedbackIncrease, "higher");
        }
    }

    private static GateFailure Fail(string metric, double candidate, double incumbent, double margin, string worse) =>
        new(metric, Math.Round(candidate, 4), Math.Round(incumbent, 4), margin, string.Create(CultureInfo.InvariantCulture,
            $"{metric}: the candidate's {candidate:0.###} is {worse} than the incumbent's {incumbent:0.###} by more than the margin {margin:0.###}."));
}
