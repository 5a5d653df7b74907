using Conversations.Contracts.Evaluation;
using Conversations.Grains.Evaluation;

namespace Conversations.IntegrationTests.Unit;

/// <summary>The deterministic scorer and the promotion gate's comparisons (pure logic).</summary>
public sealed class EvaluationScoringTests
{
    private static readonly EvaluationCase Refunds = new("How long?", ["30 days", "original receipt"], ["doc-refunds"], "alice", "user");

    private static EvaluationAnswer Answer(string text, params string[] cited) => new(text, cited, null, "m", 120, 0.001m);

    [Fact(DisplayName = "Facts are matched case- and whitespace-insensitively; missing ones are named")]
    public void Fact_recall()
    {
        var (score, missing) = DeterministicScorer.Score(Refunds, Answer("Within 30   DAYS, bring it back.", "doc-refunds"));
        Assert.Equal(0.5, score.FactRecall);
        Assert.Equal(["original receipt"], missing);
        Assert.False(score.Refused);
    }

    [Fact(DisplayName = "Citation precision: expected among cited (events and [doc:id] in the text); none cited when some were expected is 0; no sources expected is not applicable")]
    public void Citation_precision()
    {
        Assert.Equal(0.5, DeterministicScorer.Score(Refunds, Answer("30 days [doc:doc-other]", "doc-refunds")).Score.CitationPrecision);
        Assert.Equal(0.0, DeterministicScorer.Score(Refunds, Answer("30 days")).Score.CitationPrecision);
        Assert.Null(DeterministicScorer.Score(Refunds with { Sources = [] }, Answer("30 days")).Score.CitationPrecision);
    }

    [Fact(DisplayName = "A refusal opening or a turn error is a refusal and finds no fact, even one the text happens to contain")]
    public void Refusal()
    {
        var (score, missing) = DeterministicScorer.Score(Refunds, Answer("I cannot say whether 30 days applies."));
        Assert.True(score.Refused);
        Assert.Equal(0.0, score.FactRecall);
        Assert.Equal(2, missing.Count);
        Assert.True(DeterministicScorer.Score(Refunds, new EvaluationAnswer("", [], "input_refused", null, 5, 0)).Score.Refused);
    }

    [Fact(DisplayName = "The gate fails each metric worse than the incumbent beyond the margin, and only those")]
    public void Gate_compares_with_margin()
    {
        var incumbent = new EvaluationSummary(10, 0.9, 0.8, 0.1, 300, 200, 0.01m);
        Assert.Empty(PromotionGate.CompareRuns(incumbent with { FactRecall = 0.86, RefusalRate = 0.14 }, incumbent, 0.05));
        var failures = PromotionGate.CompareRuns(incumbent with { FactRecall = 0.5, CitationPrecision = 0.9, RefusalRate = 0.3 }, incumbent, 0.05).ToList();
        Assert.Equal(["factRecall", "refusalRate"], failures.Select(f => f.Metric));
        Assert.Contains("0.5", failures[0].Message);
        Assert.Contains("0.9", failures[0].Message);
    }

    [Fact(DisplayName = "Live figures: a rollback verdict, an error rate or thumbs-down share past the canary's tolerance fail the gate")]
    public void Gate_reads_live_canary()
    {
        var canary = new CanarySettings { CandidateModelId = "c", BaselineModelId = "b", MaxErrorRateIncrease = 0.02, MaxNegativeFeedbackIncrease = 0.1 };
        var fine = new CanaryView("c", new CanaryArmView(100, 1, 0.01, 100, 10, 1), new CanaryArmView(100, 1, 0.01, 100, 10, 1), "continue", "");
        Assert.Empty(PromotionGate.CompareLive(fine, canary));
        var bad = fine with { Candidate = new CanaryArmView(100, 10, 0.10, 100, 10, 5), Verdict = "rollback", Reason = "error rate" };
        Assert.Equal(["liveVerdict", "liveErrorRate", "liveNegativeFeedback"], PromotionGate.CompareLive(bad, canary).Select(f => f.Metric));
    }
}
