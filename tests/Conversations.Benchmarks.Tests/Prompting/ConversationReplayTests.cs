using Conversations.Benchmarks.Prompting.Replay;
using Conversations.Prompting.Budget;
using Conversations.Prompting.Tokens;

namespace Conversations.Benchmarks.Tests.Prompting;

public sealed class ConversationReplayTests
{
    private static readonly ITokenCounter Counter = TokenizerRegistry.Shared.ForEncoding(TokenCounter.O200kBase);

    [Fact] // The 50-turn replay sends far fewer tokens than the full history, folds rarely, and most of each steady prompt is cacheable.
    public async Task Replay_cuts_tokens_and_keeps_prefix_cacheable()
    {
        var result = await new ConversationReplay(new ReplayOptions { ChunksPerTurn = 0 }, Counter).RunAsync();
        Assert.Equal(50, result.Turns.Count);
        Assert.True(result.Reduction >= 0.65, $"reduction {result.Reduction:P1}");
        Assert.InRange(result.Folds, 3, 15);
        Assert.True(result.MeanSteadyCachedShare >= 0.8, $"cached {result.MeanSteadyCachedShare:P1}");
        Assert.All(result.Turns, t => Assert.True(t.PromptTokens <= ContextBudget.Default.InputBudgetTokens));
        Assert.All(result.Turns.Where(t => t.Steady), t => Assert.True(t.CachedPrefixTokens >= t.StablePrefixTokens - 1));
        Assert.Contains(result.FinalMemory.Facts, f => f.Text == "Answer language: Chinese");
    }

    [Fact] // Same options, same figures: the scripted conversation and the pipeline are deterministic.
    public async Task Replay_is_deterministic()
    {
        var options = new ReplayOptions { Turns = 12, ChunksPerTurn = 2 };
        var a = await new ConversationReplay(options, Counter).RunAsync();
        var b = await new ConversationReplay(options, Counter).RunAsync();
        Assert.Equal(a.Turns, b.Turns);
        Assert.Equal(a.FinalSummary, b.FinalSummary);
    }
}
