namespace Conversations.Prompting.Tests.Layout;

public sealed class PromptBuilderTests
{
    private static readonly ITokenCounter Counter = TestText.Counter;
    private readonly PromptBuilder builder = new(Counter, ContextBudget.Default);

    private static PromptRequest Request(string question, IReadOnlyList<ConversationTurn>? turns = null, string? summary = null, IReadOnlyList<RetrievedChunk>? chunks = null) => new()
    {
        SystemPrompt = "You are the company assistant.\nCite sources as [id].",
        TenantInstructions = "Organization: Contoso.",
        ConciseAnswerInstruction = "Answer in at most three sentences.",
        MemoryFacts = [new MemoryFact("f1", MemorySlots.Name, "Name: Lin Wei", 1, 5)],
        ConversationSummary = summary,
        RecentTurns = turns ?? [],
        Chunks = chunks ?? [],
        Question = TestText.Message(ChatRoles.User, question),
    };

    [Fact] // Sections come most stable first in one system message, then history, then question with sources.
    public void Layout_is_most_stable_first()
    {
        var rng = new Random(1);
        var turns = new[] { TestText.Turn(rng, 10, 20, 0), TestText.Turn(rng, 10, 20, 2) };
        var prompt = builder.Build(Request("What next?", turns, "User asked about routes.", [new RetrievedChunk("kb-1#2", "Routes are planned daily.", "Routing handbook")]));

        var system = prompt.Messages[0];
        Assert.Equal(ChatRoles.System, system.Role);
        var order = new[] { "You are the company assistant.", StablePrefixRenderer.TenantHeading, StablePrefixRenderer.AnswerStyleHeading, "- Name: Lin Wei", StablePrefixRenderer.SummaryHeading, "User asked about routes." }
            .Select(s => system.Content.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i >= 0));
        Assert.Equal(order.Order(), order);

        Assert.Equal([ChatRoles.System, ChatRoles.User, ChatRoles.Assistant, ChatRoles.User, ChatRoles.Assistant, ChatRoles.User], prompt.Messages.Select(m => m.Role));
        Assert.Equal(turns[1].Assistant!.Content, prompt.Messages[4].Content);
        var final = prompt.Messages[^1].Content;
        Assert.StartsWith("What next?", final);
        Assert.Contains("[kb-1#2] Routing handbook\nRoutes are planned daily.", final);
        Assert.Equal(["kb-1#2"], prompt.IncludedChunkIds);
        Assert.Equal(ContextBudget.DefaultMaxOutputTokens, prompt.MaxOutputTokens);
        Assert.Equal(StablePrefixRenderer.Hash(system.Content), prompt.StablePrefixHash);
    }

    [Fact] // Images count at their fixed estimate: the question's always, a history turn's with the turn, which goes first when short.
    public void Images_count_in_the_prompt_and_crowd_out_history()
    {
        var rng = new Random(3);
        var turn = TestText.Turn(rng, 10, 20);
        var text = builder.Build(Request("What is in the picture?", [turn]));
        var question = TestText.Message(ChatRoles.User, "What is in the picture?") with { ImageCount = 2 };
        var withImages = builder.Build(Request("What is in the picture?", [turn]) with { Question = question });
        Assert.Equal(text.PromptTokens + 2 * MessageTokens.PerImage, withImages.PromptTokens);

        // A turn whose images no longer fit is left out whole; the question's images still go.
        var pictured = new ConversationTurn([turn.Messages[0] with { ImageCount = 4 }, .. turn.Messages.Skip(1)]);
        var crowded = builder.Build(Request("What is in the picture?", [pictured]) with { Question = question });
        Assert.Equal(1, crowded.OmittedTurnCount);
        Assert.True(crowded.PromptTokens <= ContextBudget.Default.InputBudgetTokens);
        Assert.False(crowded.QuestionTruncated);
    }

    [Fact] // The prompt token total matches counting every message it sends, framing included.
    public void PromptTokens_match_the_messages()
    {
        var rng = new Random(2);
        var prompt = builder.Build(Request("总结一下？", [TestText.Turn(rng, 30, 60)], "摘要。", [new RetrievedChunk("a", "text")]));
        var expected = prompt.Messages.Sum(m => Counter.Count(m.Content) + MessageTokens.PerMessage) + MessageTokens.ReplyPriming;
        Assert.Equal(expected, prompt.PromptTokens);
        Assert.Equal(Counter.Count(prompt.Messages[0].Content) + MessageTokens.PerMessage, prompt.StablePrefixTokens);
    }

    [Fact] // Line endings, trailing spaces and Unicode composition do not change the prefix bytes.
    public void Prefix_is_normalized()
    {
        var a = Request("q") with { SystemPrompt = "Line one\r\nLine two  \r\n", TenantInstructions = "Caf\u00e9" };
        var b = Request("q") with { SystemPrompt = "Line one\nLine two", TenantInstructions = "Cafe\u0301" };
        Assert.Equal(builder.RenderStablePrefix(a).Hash, builder.RenderStablePrefix(b).Hash);
    }

    [Fact] // Over many turns the prefix hash changes only when the summary or memory changes (a fold or a new fact).
    public void Prefix_is_byte_stable_until_a_fold()
    {
        var rng = new Random(3);
        var planner = new ContextWindowPlanner(ContextBudget.Default);
        var summarizer = new ExtractiveSummarizer(Counter);
        var window = new List<ConversationTurn>();
        string? summary = null;
        string? previousHash = null;
        var folds = 0;
        var hashChanges = 0;
        for (var t = 0; t < 120; t++)
        {
            var question = TestText.Message(ChatRoles.User, TestText.Words(rng, 15 + rng.Next(30)), t * 2);
            var fold = planner.PlanFold(window, question.PromptTokens);
            if (fold.ShouldFold)
            {
                folds++;
                summary = summarizer.Summarize(summary, fold.TurnsToFold.SelectMany(x => x.Messages).ToArray(), ContextBudget.DefaultMaxSummaryTokens);
                window = fold.TurnsToKeep.ToList();
            }
            var prompt = builder.Build(Request(question.Content, window, summary) with { Question = question });
            if (previousHash is not null && prompt.StablePrefixHash != previousHash)
            {
                hashChanges++;
                Assert.True(fold.ShouldFold, $"prefix changed on turn {t} without a fold");
            }
            previousHash = prompt.StablePrefixHash;
            window.Add(ConversationTurn.Of(question, TestText.Message(ChatRoles.Assistant, TestText.Words(rng, 40 + rng.Next(60)), t * 2 + 1)));
        }
        Assert.True(folds >= 3);
        Assert.True(hashChanges <= folds);
        Assert.True(folds < 120 / 3);
    }

    [Fact] // History is never re-tokenized: only the prefix (once per distinct text), the sources and the final message are counted.
    public void History_counts_are_reused()
    {
        var recording = new RecordingCounter(Counter);
        var recordingBuilder = new PromptBuilder(recording, ContextBudget.Default);
        var rng = new Random(4);
        var turns = Enumerable.Range(0, 4).Select(i => TestText.Turn(rng, 20, 40, i * 2)).ToArray();
        var request = Request("Next?", turns);
        recordingBuilder.Build(request);
        recording.Counted.Clear();
        recordingBuilder.Build(request);
        var historyTexts = turns.SelectMany(t => t.Messages).Select(m => m.Content).ToHashSet();
        Assert.DoesNotContain(recording.Counted, historyTexts.Contains);
        Assert.DoesNotContain(recording.Counted, text => text.StartsWith("You are the company assistant.", StringComparison.Ordinal));
    }

    [Theory] // Property: for random long and mixed Chinese/English inputs, the prompt never passes the budget, turns stay whole.
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Budget_holds_for_random_long_multilingual_inputs(int seed)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 25; round++)
        {
            var budget = new ContextBudget { ContextBudgetTokens = 1500 + rng.Next(6000), MaxOutputTokens = 100 + rng.Next(500) };
            budget = budget with { SummaryThresholdTokens = budget.InputBudgetTokens / 2, SummaryTargetTokens = budget.InputBudgetTokens / 8, MaxSummaryTokens = 100 + rng.Next(200) };
            var b = new PromptBuilder(Counter, budget);
            var turns = Enumerable.Range(0, rng.Next(12)).Select(i => TestText.Turn(rng, rng.Next(1, 400), rng.Next(1, 900), i * 2)).ToArray();
            var chunks = Enumerable.Range(0, rng.Next(6)).Select(i => new RetrievedChunk($"c{i}", TestText.Words(rng, rng.Next(20, 600)))).ToArray();
            var question = TestText.Words(rng, rng.Next(1, 10) == 1 ? 8000 : rng.Next(5, 300), chineseShare: rng.NextDouble());
            var summary = TestText.Words(rng, rng.Next(0, 2000));
            var prompt = b.Build(Request(question, turns, summary, chunks));

            Assert.True(prompt.PromptTokens <= budget.InputBudgetTokens, $"{prompt.PromptTokens} > {budget.InputBudgetTokens}");
            var counted = prompt.Messages.Sum(m => Counter.Count(m.Content) + MessageTokens.PerMessage) + MessageTokens.ReplyPriming;
            Assert.Equal(counted, prompt.PromptTokens);
            // Whole turns only: the history in the prompt is exactly the newest included turns, in order.
            var history = prompt.Messages.Skip(1).SkipLast(1).Select(m => m.Content).ToArray();
            Assert.Equal(turns.TakeLast(prompt.IncludedTurns.Count).SelectMany(t => t.Messages).Select(m => m.Content), history);
            Assert.Equal(turns.Length, prompt.IncludedTurns.Count + prompt.OmittedTurnCount);
            // Chunks are dropped from the lowest rank up.
            Assert.Equal(chunks.Take(prompt.IncludedChunkIds.Count).Select(c => c.Id), prompt.IncludedChunkIds);
            if (prompt.QuestionTruncated)
            {
                Assert.Contains(TokenTruncation.Marker.Trim(), prompt.Messages[^1].Content);
                Assert.Empty(prompt.IncludedTurns);
                Assert.Empty(prompt.IncludedChunkIds);
            }
        }
    }

    [Fact] // A summary too large for the budget is cut deterministically, so the prefix stays stable and the question fits.
    public void Oversized_prefix_is_cut_deterministically()
    {
        var budget = new ContextBudget { ContextBudgetTokens = 1000, MaxOutputTokens = 200, SummaryThresholdTokens = 400, SummaryTargetTokens = 100, MaxSummaryTokens = 200 };
        var b = new PromptBuilder(Counter, budget);
        var request = Request("还有什么风险？", summary: TestText.Words(new Random(6), 3000));
        var first = b.Build(request);
        var second = b.Build(request);
        Assert.True(first.PrefixTruncated);
        Assert.Equal(first.StablePrefixHash, second.StablePrefixHash);
        Assert.True(first.PromptTokens <= budget.InputBudgetTokens);
        Assert.Equal("还有什么风险？", first.Messages[^1].Content);
    }

    [Fact] // The cache key is stable per conversation, differs between conversations and hides the ids.
    public void Cache_key_is_stable_and_opaque()
    {
        var key = PromptCacheHints.CacheKey("t1", "c1");
        Assert.Equal(key, PromptCacheHints.CacheKey("t1", "c1"));
        Assert.NotEqual(key, PromptCacheHints.CacheKey("t1", "c2"));
        Assert.DoesNotContain("c1", key[5..]);
    }
}
