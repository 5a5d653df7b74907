namespace Conversations.Prompting.Tests.Memory;

public sealed class UserMemoryTests
{
    private static readonly ITokenCounter Counter = TestText.Counter;

    [Theory] // Stated facts in English and Chinese are found and labelled by slot.
    [InlineData("Hi, my name is Lin Wei and I need help.", MemorySlots.Name, "Name: Lin Wei")]
    [InlineData("Please call me Wei.", MemorySlots.PreferredName, "Preferred name: Wei")]
    [InlineData("Please always answer in English.", MemorySlots.AnswerLanguage, "Answer language: English")]
    [InlineData("I prefer short answers.", MemorySlots.AnswerStyle, "Answer style: short answers")]
    [InlineData("I work at Contoso Logistics, in Shanghai.", "work:at", "Works at: Contoso Logistics")]
    [InlineData("I work in finance.", "work:in", "Works in: finance")]
    [InlineData("I'm a data engineer.", MemorySlots.Role, "Role: data engineer")]
    [InlineData("我叫李雷。", MemorySlots.Name, "Name: 李雷")]
    [InlineData("以后请用中文回答。", MemorySlots.AnswerLanguage, "Answer language: Chinese")]
    [InlineData("我是运维工程师。", MemorySlots.Role, "Role: 运维工程师")]
    [InlineData("我在上海仓库工作，主要负责发货。", "work:at", "Works at: 上海仓库")]
    [InlineData("我喜欢简短的回答。", MemorySlots.AnswerStyle, "Answer style: 简短的回答")]
    [InlineData("叫我小李就行。", MemorySlots.PreferredName, "Preferred name: 小李就行")]
    public void Extracts_stated_facts(string message, string slot, string text)
    {
        var facts = UserMemoryExtractor.Extract(message);
        Assert.Contains(new MemoryCandidate(slot, text), facts);
    }

    [Theory] // Questions and ordinary sentences are not taken for facts about the user.
    [InlineData("What do I prefer, tea or coffee?")]
    [InlineData("我是说这个订单有问题。")]
    [InlineData("I'm a bit confused by the invoice.")]
    [InlineData("The warehouse ships 300 orders a day.")]
    [InlineData("我叫什么名字？")]
    public void Ignores_questions_and_non_facts(string message) => Assert.Empty(UserMemoryExtractor.Extract(message));

    [Fact] // The newest fact in a slot wins (English then Chinese language request), older ones are replaced.
    public void Newest_wins_within_a_slot()
    {
        var memory = UserMemory.Empty
            .Remember(UserMemoryExtractor.Extract("Please answer in English."), Counter)
            .Remember(UserMemoryExtractor.Extract("My name is Lin."), Counter)
            .Remember(UserMemoryExtractor.Extract("请用中文回答。"), Counter);
        Assert.Equal(["Name: Lin", "Answer language: Chinese"], memory.Facts.Select(f => f.Text));
        Assert.Equal("- Name: Lin\n- Answer language: Chinese", UserMemory.Render(memory.Facts));
    }

    [Fact] // Restating a known fact changes nothing (same instance), so the cached prefix stays as it was.
    public void Restating_a_fact_is_a_no_op()
    {
        var memory = UserMemory.Empty.Remember(UserMemoryExtractor.Extract("My name is Lin."), Counter);
        Assert.Same(memory, memory.Remember(UserMemoryExtractor.Extract("Hello again, my name is Lin."), Counter));
        Assert.Same(memory, memory.Remember([], Counter));
    }

    [Fact] // The memory never passes its fact and token bounds; the oldest facts are evicted first.
    public void Memory_is_bounded_and_evicts_oldest()
    {
        var memory = UserMemory.Empty;
        for (var i = 0; i < 60; i++)
            memory = memory.Remember([new MemoryCandidate(MemorySlots.LikesPrefix + i, $"Likes: topic number {i} " + TestText.Words(new Random(i), i % 7 * 5))], Counter);
        Assert.InRange(memory.Facts.Count, 1, UserMemory.MaxFacts);
        Assert.True(memory.TokenCount <= UserMemory.MaxTokens);
        Assert.All(memory.Facts, f => Assert.True(f.TokenCount <= UserMemory.MaxFactTokens));
        Assert.Contains("topic number 59", memory.Facts[^1].Text);
        Assert.DoesNotContain(memory.Facts, f => f.Text.Contains("topic number 0 ", StringComparison.Ordinal));
        Assert.Equal(memory.Facts.OrderBy(f => f.Sequence), memory.Facts);
    }

    [Fact] // A fact can be deleted by its id; unknown ids change nothing; ids are not reused.
    public void Facts_can_be_forgotten_by_id()
    {
        var memory = UserMemory.Empty.Remember(UserMemoryExtractor.Extract("My name is Lin. I work in finance."), Counter);
        var id = memory.Facts[0].Id;
        var forgotten = memory.Forget(id);
        Assert.DoesNotContain(forgotten.Facts, f => f.Id == id);
        Assert.Single(forgotten.Facts);
        Assert.Same(forgotten, forgotten.Forget("nope"));
        var again = forgotten.Remember(UserMemoryExtractor.Extract("My name is Lin."), Counter);
        Assert.NotEqual(id, again.Facts[^1].Id);
    }
}
