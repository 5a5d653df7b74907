namespace Conversations.Routing.Tests.Caching;

public sealed class HardCodedRepliesTests
{
    private readonly HardCodedReplies replies = new();

    [Theory]
    [InlineData("hi", StandardIntent.Greeting, "en")]
    [InlineData("Hello there!", StandardIntent.Greeting, "en")]
    [InlineData("Good morning 👋", StandardIntent.Greeting, "en")]
    [InlineData("你好呀", StandardIntent.Greeting, "zh")]
    [InlineData("Thanks so much!", StandardIntent.Thanks, "en")]
    [InlineData("thank you for the help", StandardIntent.Thanks, "en")]
    [InlineData("谢谢你！", StandardIntent.Thanks, "zh")]
    [InlineData("ok, got it", StandardIntent.Confirmation, "en")]
    [InlineData("好的", StandardIntent.Confirmation, "zh")]
    [InlineData("ok thanks, bye", StandardIntent.Goodbye, "en")]
    [InlineData("再见", StandardIntent.Goodbye, "zh")]
    public void Whole_message_intents_get_a_canned_reply(string message, StandardIntent intent, string language)
    {
        // Proves messages that are only an intent are answered without a model, in the message's language.
        var reply = replies.Match(message, variantSeed: 1);
        Assert.NotNull(reply);
        Assert.Equal(intent, reply.Intent);
        Assert.Equal(language, reply.Language);
        Assert.False(string.IsNullOrWhiteSpace(reply.Text));
    }

    [Theory]
    [InlineData("hi, what's the leave policy?")]
    [InlineData("thanks, and how many vacation days do I get?")]
    [InlineData("你好，年假有多少天？")]
    [InlineData("ok so explain the bonus rules")]
    [InlineData("hit")]
    [InlineData("history")]
    [InlineData("")]
    public void Messages_carrying_more_than_an_intent_go_to_the_model(string message)
    {
        // Proves a greeting or thanks followed by a real question is not swallowed by a canned reply.
        Assert.Null(replies.Match(message, variantSeed: 1));
    }

    [Fact]
    public void Confirmations_answering_an_assistant_question_are_not_canned()
    {
        // Proves "yes" after "Shall I list the steps?" goes to the model, while thanks still gets a canned reply.
        Assert.Null(replies.Match("yes", 0, answersPendingQuestion: true));
        Assert.NotNull(replies.Match("yes", 0, answersPendingQuestion: false));
        Assert.NotNull(replies.Match("thanks", 0, answersPendingQuestion: true));
    }

    [Fact]
    public void Variants_differ_by_seed_and_repeat_for_the_same_seed()
    {
        // Proves replies vary across turns but are reproducible for one seed.
        var texts = Enumerable.Range(0, 6).Select(seed => replies.Match("hello", seed)!.Text).ToList();
        Assert.True(texts.Distinct().Count() > 1);
        Assert.Equal(replies.Match("hello", 4)!.Text, replies.Match("hello", 4)!.Text);
    }
}
