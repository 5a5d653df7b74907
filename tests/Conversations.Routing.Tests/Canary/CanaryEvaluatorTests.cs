using Conversations.Routing.Canary;

namespace Conversations.Routing.Tests.Canary;

public sealed class CanaryEvaluatorTests
{
    private static readonly CanaryThresholds Thresholds = new()
    {
        MinTurnsPerArm = 100,
        MaxErrorRateIncrease = 0.02,
        MaxTtftP95Ratio = 1.5,
        MinFeedbackPerArm = 20,
        MaxNegativeFeedbackIncrease = 0.1,
        PromoteAfterTurns = 500,
    };

    private static CanaryArmStats Healthy(int turns) => new(turns, turns / 100, 800, 40, 4);

    [Fact]
    public void No_verdict_before_minimum_samples_even_with_bad_numbers()
    {
        // Proves a candidate failing every call is not rolled back until both arms have the minimum turns.
        var awful = new CanaryArmStats(Thresholds.MinTurnsPerArm - 1, Thresholds.MinTurnsPerArm - 1, 99_000, 0, 0);
        Assert.Equal(CanaryOutcome.Continue, CanaryEvaluator.Evaluate(awful, Healthy(1000), Thresholds).Outcome);
        var enough = awful with { Turns = Thresholds.MinTurnsPerArm, Errors = Thresholds.MinTurnsPerArm };
        Assert.Equal(CanaryOutcome.Continue, CanaryEvaluator.Evaluate(enough, Healthy(Thresholds.MinTurnsPerArm - 1), Thresholds).Outcome);
        Assert.Equal(CanaryOutcome.Rollback, CanaryEvaluator.Evaluate(enough, Healthy(Thresholds.MinTurnsPerArm), Thresholds).Outcome);
    }

    [Fact]
    public void Error_rate_rise_past_the_threshold_rolls_back_and_below_it_does_not()
    {
        // Proves the error threshold is a boundary: 1% + 2 points passes, 1% + 3 points rolls back.
        var baseline = Healthy(1000); // 1% errors.
        var within = baseline with { Turns = 200, Errors = 6 }; // 3%: rise of 2 points.
        var past = baseline with { Turns = 200, Errors = 8 }; // 4%: rise of 3 points.
        Assert.Equal(CanaryOutcome.Continue, CanaryEvaluator.Evaluate(within, baseline, Thresholds).Outcome);
        var verdict = CanaryEvaluator.Evaluate(past, baseline, Thresholds);
        Assert.Equal(CanaryOutcome.Rollback, verdict.Outcome);
        Assert.StartsWith("error rate", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Slow_first_tokens_roll_back()
    {
        // Proves a candidate whose TTFT p95 exceeds 1.5× the baseline's is rolled back.
        var baseline = Healthy(1000);
        Assert.Equal(CanaryOutcome.Continue, CanaryEvaluator.Evaluate(Healthy(200) with { FirstTokenP95Ms = 1200 }, baseline, Thresholds).Outcome);
        var verdict = CanaryEvaluator.Evaluate(Healthy(200) with { FirstTokenP95Ms = 1300 }, baseline, Thresholds);
        Assert.Equal(CanaryOutcome.Rollback, verdict.Outcome);
        Assert.Contains("first token", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_feedback_counts_only_with_enough_votes()
    {
        // Proves thumbs-down regressions roll back once both arms have enough votes, not before.
        var baseline = Healthy(1000); // 10% negative.
        var fewVotes = Healthy(200) with { FeedbackVotes = 10, NegativeVotes = 9 };
        Assert.Equal(CanaryOutcome.Continue, CanaryEvaluator.Evaluate(fewVotes, baseline, Thresholds).Outcome);
        var manyVotes = Healthy(200) with { FeedbackVotes = 40, NegativeVotes = 12 }; // 30% negative.
        var verdict = CanaryEvaluator.Evaluate(manyVotes, baseline, Thresholds);
        Assert.Equal(CanaryOutcome.Rollback, verdict.Outcome);
        Assert.StartsWith("negative feedback", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Healthy_candidate_becomes_ready_to_promote_after_enough_turns()
    {
        // Proves promotion waits for PromoteAfterTurns and then is offered.
        Assert.Equal(CanaryOutcome.Continue, CanaryEvaluator.Evaluate(Healthy(499), Healthy(2000), Thresholds).Outcome);
        Assert.Equal(CanaryOutcome.ReadyToPromote, CanaryEvaluator.Evaluate(Healthy(500), Healthy(2000), Thresholds).Outcome);
    }

    [Fact]
    public void Tally_accumulates_turns_feedback_and_bounded_latencies()
    {
        // Proves the persisted tally turns outcomes into the evaluator's figures and keeps its samples bounded.
        var tally = new CanaryArmTally();
        for (var i = 1; i <= CanaryArmTally.MaxLatencySamples * 2; i++)
        {
            tally = tally.WithTurn(failed: i % 10 == 0, firstTokenMs: i % 10 == 0 ? null : 100 + (i % 100));
        }

        tally = tally.WithFeedback(negative: true).WithFeedback(negative: false);
        var stats = tally.ToStats();
        Assert.Equal(CanaryArmTally.MaxLatencySamples * 2, stats.Turns);
        Assert.Equal((CanaryArmTally.MaxLatencySamples * 2) / 10, stats.Errors);
        Assert.Equal(CanaryArmTally.MaxLatencySamples, tally.FirstTokenMs.Count);
        Assert.InRange(stats.FirstTokenP95Ms!.Value, 190, 199);
        Assert.Equal(0.5, stats.NegativeFeedbackRate);
    }

    [Fact]
    public void A_changed_vote_moves_the_message_between_up_and_down()
    {
        // Proves the last vote wins: the message stays one vote, and its rating follows the change.
        var tally = new CanaryArmTally().WithFeedback(negative: false).WithFeedback(negative: true);
        tally = tally.WithChangedVote(negative: true);
        Assert.Equal((2, 2), (tally.FeedbackVotes, tally.NegativeVotes));
        tally = tally.WithChangedVote(negative: false).WithChangedVote(negative: false).WithChangedVote(negative: false);
        Assert.Equal((2, 0), (tally.FeedbackVotes, tally.NegativeVotes));
    }
}
