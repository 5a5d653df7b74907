namespace Conversations.Prompting.Tests.Summaries;

public sealed class ExtractiveSummarizerTests
{
    private static readonly ITokenCounter Counter = TestText.Counter;
    private readonly ExtractiveSummarizer summarizer = new(Counter);

    [Theory] // Property: for random mixed-language turns and limits, the summary never passes maxTokens and is deterministic.
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Summary_stays_within_limit_and_is_deterministic(int seed)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 20; round++)
        {
            var turns = Enumerable.Range(0, 1 + rng.Next(10)).SelectMany(i => TestText.Turn(rng, rng.Next(5, 200), rng.Next(5, 600), i * 2).Messages).ToArray();
            var previous = round % 2 == 0 ? null : TestText.Words(rng, rng.Next(10, 400));
            var limit = 20 + rng.Next(400);
            var summary = await summarizer.SummarizeAsync(previous, turns, limit, CancellationToken.None);
            Assert.InRange(Counter.Count(summary), 1, limit);
            Assert.Equal(summary, summarizer.Summarize(previous, turns, limit));
        }
    }

    [Fact] // Facts of the previous summary survive the next fold when there is room.
    public void Keeps_previous_summary_facts()
    {
        const string previous = "User: The warehouse in Rotterdam closes on 3 May.\nAssistant: Budget approved at 40,000 CNY.";
        var turns = Enumerable.Range(0, 4).SelectMany(i => TestText.Turn(new Random(i), 40, 80, i * 2).Messages).ToArray();
        var summary = summarizer.Summarize(previous, turns, 300);
        Assert.Contains("Rotterdam closes on 3 May", summary);
        Assert.Contains("40,000 CNY", summary);
        Assert.Matches("\n(User|Assistant): ", summary); // and the new turns got the rest of the room
    }

    [Fact] // The sentences about the conversation's main subject are chosen over small talk, in Chinese as in English.
    public void Prefers_informative_sentences()
    {
        var turns = new[]
        {
            TestText.Message(ChatRoles.User, "你好。数据库迁移需要在周五之前完成。数据库迁移的回滚方案还没有写。"),
            TestText.Message(ChatRoles.Assistant, "好的。数据库迁移之前先写回滚方案，并在变更单里记录数据库迁移的影响范围。谢谢。"),
            TestText.Message(ChatRoles.User, "Thanks. The database migration also needs a replica. Ok."),
        };
        var summary = summarizer.Summarize(null, turns, 60);
        Assert.Contains("数据库迁移", summary);
        Assert.DoesNotContain("你好", summary);
        Assert.DoesNotContain("谢谢", summary);
    }

    [Fact] // The model-backed request carries the previous summary, every message with its speaker, and the limit.
    public void Summary_request_contains_inputs()
    {
        var turns = new[] { TestText.Message(ChatRoles.User, "我叫李雷。"), TestText.Message(ChatRoles.Assistant, "Hello Li Lei.") };
        var request = SummaryPrompts.BuildSummaryRequest("Earlier: budget approved.", turns, 200);
        Assert.Contains("Earlier: budget approved.", request);
        Assert.Contains("User: 我叫李雷。", request);
        Assert.Contains("Assistant: Hello Li Lei.", request);
        Assert.Contains("200", request);
        Assert.Equal(request, SummaryPrompts.BuildSummaryRequest("Earlier: budget approved.", turns, 200));
        Assert.Contains("(none)", SummaryPrompts.BuildSummaryRequest(null, turns));
    }
}
