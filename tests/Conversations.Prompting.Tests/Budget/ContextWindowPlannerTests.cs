namespace Conversations.Prompting.Tests.Budget;

public sealed class ContextWindowPlannerTests
{
    private static readonly ContextBudget Budget = ContextBudget.Default;
    private readonly ContextWindowPlanner planner = new(Budget);

    [Fact] // Below the threshold nothing folds, whatever the number of turns.
    public void No_fold_below_threshold()
    {
        var rng = new Random(1);
        var turns = Enumerable.Range(0, 6).Select(i => TestText.Turn(rng, 10, 20, i * 2)).ToList();
        Assert.True(turns.Sum(t => t.TokenCount) < Budget.SummaryThresholdTokens);
        var plan = planner.PlanFold(turns, 10);
        Assert.False(plan.ShouldFold);
        Assert.Equal(turns, plan.TurnsToKeep);
    }

    [Fact] // Past the threshold the oldest whole turns fold in one step down to the target, keeping the newest turn.
    public void Fold_goes_down_to_target_in_one_step()
    {
        var rng = new Random(2);
        var turns = Enumerable.Range(0, 20).Select(i => TestText.Turn(rng, 20, 60, i * 2)).ToList();
        var plan = planner.PlanFold(turns, 30);
        Assert.True(plan.WindowTokens > Budget.SummaryThresholdTokens);
        Assert.True(plan.ShouldFold);
        Assert.Equal(turns.Take(plan.TurnsToFold.Count), plan.TurnsToFold);
        Assert.Equal(turns.Skip(plan.TurnsToFold.Count), plan.TurnsToKeep);
        Assert.NotEmpty(plan.TurnsToKeep);
        Assert.True(plan.WindowTokensAfterFold <= Math.Max(Budget.SummaryTargetTokens, 30 + turns[^1].TokenCount));
        // One step: planning again on what is kept folds nothing more.
        Assert.False(planner.PlanFold(plan.TurnsToKeep, 30).ShouldFold);
    }

    [Fact] // Over 200 simulated turns, folds happen rarely (hysteresis), never on consecutive turns.
    public void Folds_are_rare_over_a_long_conversation()
    {
        var rng = new Random(3);
        var window = new List<ConversationTurn>();
        var foldTurns = new List<int>();
        for (var t = 0; t < 200; t++)
        {
            var question = TestText.Message(ChatRoles.User, TestText.Words(rng, 10 + rng.Next(30)), t * 2);
            var plan = planner.PlanFold(window, question.PromptTokens);
            if (plan.ShouldFold)
            {
                foldTurns.Add(t);
                window = plan.TurnsToKeep.ToList();
            }
            Assert.True(window.Sum(x => x.TokenCount) + question.PromptTokens <= Budget.SummaryThresholdTokens || window.Count <= 1);
            window.Add(ConversationTurn.Of(question, TestText.Message(ChatRoles.Assistant, TestText.Words(rng, 30 + rng.Next(60)), t * 2 + 1)));
        }
        Assert.InRange(foldTurns.Count, 5, 200 / 3);
        Assert.All(foldTurns.Zip(foldTurns.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 3));
    }

    [Fact] // Over budget, chunks go first (lowest rank first), then oldest turns, and only then is the question cut.
    public void Window_drops_chunks_then_turns_then_cuts_question()
    {
        var turns = Enumerable.Range(0, 5).Select(i => TestText.Turn(new Random(i), 100, 200, i * 2)).ToList();
        var turnTokens = turns.Sum(t => t.TokenCount);
        var fixedTokens = 500;
        var room = Budget.InputBudgetTokens - fixedTokens;

        var onlyChunks = planner.PlanWindow(fixedTokens, turns, [400, 400, 400], room - turnTokens - 500);
        Assert.Equal((turns.Count, 1, false), (onlyChunks.IncludedTurnCount, onlyChunks.IncludedChunkCount, onlyChunks.QuestionTruncated));

        var alsoTurns = planner.PlanWindow(fixedTokens, turns, [400, 400], room - 100);
        Assert.Equal(0, alsoTurns.IncludedChunkCount);
        Assert.InRange(alsoTurns.IncludedTurnCount, 0, turns.Count - 1);
        Assert.Equal(turns.Count - alsoTurns.IncludedTurnCount, alsoTurns.OmittedTurnCount);
        Assert.False(alsoTurns.QuestionTruncated);

        var cut = planner.PlanWindow(fixedTokens, turns, [400], room + 1000);
        Assert.Equal((0, 0, true, room), (cut.IncludedTurnCount, cut.IncludedChunkCount, cut.QuestionTruncated, cut.QuestionTokenLimit));
        Assert.All(new[] { onlyChunks, alsoTurns, cut }, p => Assert.True(p.EstimatedPromptTokens <= Budget.InputBudgetTokens));
    }

    [Theory] // Settings that would make every turn fold or overflow the prompt are rejected.
    [InlineData(4000, 1000, 1000, 300, 512)]
    [InlineData(4000, 3400, 200, 300, 512)]
    [InlineData(4000, 1000, 200, 300, 2500)]
    [InlineData(4000, 1000, 200, 10, 512)]
    [InlineData(100, 50, 10, 40, 10)]
    public void Invalid_budgets_are_rejected(int budget, int threshold, int target, int summary, int output)
    {
        var b = new ContextBudget { ContextBudgetTokens = budget, SummaryThresholdTokens = threshold, SummaryTargetTokens = target, MaxSummaryTokens = summary, MaxOutputTokens = output };
        Assert.NotEmpty(b.Validate());
        Assert.Throws<ArgumentException>(() => new ContextWindowPlanner(b));
    }

    [Fact] // The defaults are valid and leave the answer its reserve.
    public void Defaults_are_valid()
    {
        Assert.Empty(ContextBudget.Default.Validate());
        Assert.Equal(ContextBudget.DefaultContextBudgetTokens - ContextBudget.DefaultMaxOutputTokens, ContextBudget.Default.InputBudgetTokens);
    }

    [Fact] // Grouping messages into turns starts a turn at each user message and keeps replies with their question.
    public void Group_makes_whole_turns()
    {
        var m = new[]
        {
            new ChatTurnMessage(ChatRoles.Assistant, "Hello!", 2, 1),
            new ChatTurnMessage(ChatRoles.User, "q1", 2, 2),
            new ChatTurnMessage(ChatRoles.Assistant, "a1", 2, 3),
            new ChatTurnMessage(ChatRoles.User, "q2", 2, 4),
            new ChatTurnMessage(ChatRoles.User, "q3", 2, 5),
            new ChatTurnMessage(ChatRoles.Assistant, "a3", 2, 6),
        };
        var turns = ConversationTurn.Group(m);
        Assert.Equal([1, 2, 1, 2], turns.Select(t => t.Messages.Count));
        Assert.Null(turns[0].User);
        Assert.Equal("a1", turns[1].Assistant!.Content);
        Assert.Null(turns[2].Assistant);
        Assert.Equal((5L, 6L), (turns[3].FirstSequence, turns[3].LastSequence));
    }
}
