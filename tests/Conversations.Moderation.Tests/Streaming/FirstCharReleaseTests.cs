namespace Conversations.Moderation.Tests.Streaming;

/// <summary>The first char of an answer is shown at once, before its word ends, when no finding can hide it.</summary>
public sealed class FirstCharReleaseTests
{
    private readonly ModerationEngine _engine = new();

    private StreamingOutputFilter NewFilter() => new(_engine, ModerationEngineTests.SeedLexicons);

    [Theory]
    [InlineData("The", "T")]
    [InlineData("12", "1")]
    [InlineData("**", "*")]
    [InlineData("Hello", "H")]
    [InlineData("tok", "t")] // may become "token: …", whose value alone is masked
    [InlineData("sk", "")] // may become a vendor key, masked whole
    [InlineData("Pass", "")] // may become "password …"
    [InlineData("jiao", "")] // the start of a blocked lexicon word
    [InlineData("+86", "+")] // every phone mask keeps the "+"
    [InlineData("_t", "_")]
    public void The_first_char_is_shown_unless_a_finding_may_start_with_it(string firstDelta, string shown)
    {
        // Proves the first delta releases its first char only when no secret keyword, vendor prefix or lexicon word can start there.
        Assert.Equal(shown, NewFilter().Append(firstDelta));
    }

    [Fact]
    public void The_rest_of_the_word_follows_without_the_shown_char_twice()
    {
        // Proves the shown char is not repeated when its word is released, and only the first answer char is shown early.
        var filter = NewFilter();
        Assert.Equal("T", filter.Append("The"));
        Assert.Equal("he ", filter.Append(" answer"));
        Assert.Equal("answer ", filter.Append(" is")); // past the first char, a word waits for its end as before
        Assert.Equal("is", filter.Flush());
    }

    [Theory]
    [InlineData("hr@demo.example is the address to write to.", 21)]
    [InlineData("13812345678 is the number to call.", 22)]
    [InlineData("Token: sk-abcdefghijklmnopqrstuvwxyz012345 was leaked.", 23)]
    [InlineData("The answer: call +86 138 1234 5678 or mail Theo@demo.example.", 24)]
    [InlineData("**Bold** start, then 6222 0212 3456 7897 as a card.", 25)]
    [InlineData("password: hunter2 is set", 26)]
    [InlineData("110101199003074518 is an ID; r u d e_word; rude_word.", 27)]
    [InlineData("Tokens are counted; api_key = sk-abcdefghijklmnopqrstuvwxyz012345 ok", 28)]
    public void Answers_that_start_with_findings_match_the_one_shot_mask_for_random_splits(string text, int seed)
    {
        // Proves, for random delta boundaries, that showing the first char early never changes what a one-shot mask shows.
        var lexicons = Lexicons.CompiledLexiconSet.CompileWithPlatform(
            [new Lexicons.Lexicon("tenant_rude", ["rude_word"], RiskLevel.Medium, Lexicons.LexiconAction.Mask)], "mask-only");
        var expected = _engine.Scan(text, lexicons, ModerationPhase.Output).Mask(text);
        var random = new Random(seed);
        for (var round = 0; round < 100; round++)
        {
            var filter = new StreamingOutputFilter(_engine, lexicons);
            var output = StreamRuns.Run(filter, StreamRuns.RandomSplit(text, random, 6));
            Assert.Equal(expected, output);
            Assert.Equal(text.Length, filter.ConsumedLength);
        }
    }
}
