namespace Conversations.TestModel.Tests.Logic;

/// <summary>Answer text: generated length, determinism, splitting into streamed pieces.</summary>
public sealed class AnswerComposerTests
{
    [Fact]
    public void Generated_answer_has_the_set_length_and_repeats()
    {
        // Proves: the default answer names the model and the question, has exactly the set token count, and is deterministic.
        var context = new AnswerContext("small", [new PromptMessage("user", "Where is the nearest office?")]);
        var behavior = new ModelBehavior { AnswerTokens = 30 };

        var first = AnswerComposer.Compose(behavior, context);
        var second = AnswerComposer.Compose(behavior, context);

        Assert.Equal(30, first.Count);
        Assert.Equal(first, second);
        Assert.StartsWith("small answers: Where is the nearest office?", string.Concat(first));
    }

    [Fact]
    public void Split_keeps_spaces_with_words_and_cuts_cjk_per_character()
    {
        // Proves: joining the pieces gives back the text exactly, with one piece per CJK character.
        var pieces = AnswerComposer.Split("Hello  big 世界!");

        Assert.Equal("Hello  big 世界!", string.Concat(pieces));
        Assert.Equal(["Hello", "  big", " ", "世", "界", "!"], pieces);
    }
}
