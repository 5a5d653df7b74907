namespace Conversations.Moderation.Tests.Streaming;

public sealed class StreamingOutputFilterTests
{
    private const string Notice = "[withheld]";
    private readonly ModerationEngine _engine = new();

    private StreamingOutputFilter NewFilter(int maxHold = StreamingFilterOptions.DefaultMaxHoldChars, OutputRelease release = OutputRelease.SafePrefix) =>
        new(_engine, ModerationEngineTests.SeedLexicons, new StreamingFilterOptions { WithheldNotice = Notice, MaxHoldChars = maxHold, Release = release });

    [Fact]
    public void Releases_each_sentence_as_soon_as_it_ends()
    {
        // Proves only the unfinished sentence is held back.
        var filter = NewFilter(release: OutputRelease.Sentence);
        Assert.Equal("", filter.Append("Hello wor"));
        Assert.Equal("Hello world.", filter.Append("ld. Next"));
        Assert.Equal(" Next 你好。", filter.Append(" 你好。"));
        Assert.Equal("", filter.Append(" tail"));
        Assert.Equal(" tail", filter.Flush());
    }

    [Fact]
    public void Safe_prefix_releases_words_before_the_sentence_ends_but_holds_what_could_grow()
    {
        // Proves the default mode shows finished words at once, and holds a number, a lexicon prefix and a secret's keyword.
        var filter = NewFilter();
        Assert.Equal("Hello ", filter.Append("Hello wor"));
        Assert.Equal("world, call ", filter.Append("ld, call 138"));
        Assert.Equal("", filter.Append(" 1234")); // digit groups are one number until it ends
        var masked = filter.Append(" 5678 now");
        Assert.DoesNotContain("1234", masked); // released whole and masked like the one-shot scan ("13* **** 5678")
        Assert.Contains("****", masked);
        // (SeedLexicons block the word "password" itself; with platform lexicons only, the secret is masked.)
        var secret = new StreamingOutputFilter(_engine, Lexicons.CompiledLexiconSet.Platform);
        Assert.Equal("Your ", secret.Append("Your password: hun"));
        Assert.Equal("", secret.Append("ter2")); // the keyword waits with its value
        var rest = secret.Append(" is set") + secret.Flush();
        Assert.StartsWith("password: ", rest);
        Assert.DoesNotContain("hunter2", rest);
        var lexicon = NewFilter();
        Assert.Equal("Visit ", lexicon.Append("Visit oa.jiao"));
        Assert.Equal(Notice, lexicon.Append("yu.com today") + lexicon.Flush());
    }

    [Fact]
    public void Dot_inside_a_domain_is_not_a_sentence_end()
    {
        // Proves "oa.jiaoyu.com" is not cut at its dots and is blocked whole.
        var filter = NewFilter(release: OutputRelease.Sentence);
        var output = StreamRuns.Run(filter, ["Visit oa.", "jiaoyu", ".com today."]);
        Assert.Equal(Notice, output);
        Assert.True(filter.IsBlocked);
    }

    public static TheoryData<int, OutputRelease> BlockedSeeds => StreamRuns.Seeds(1,
        OutputRelease.SafePrefix, OutputRelease.SafePrefix, OutputRelease.SafePrefix, OutputRelease.SafePrefix,
        OutputRelease.Sentence, OutputRelease.Sentence, OutputRelease.Sentence, OutputRelease.Sentence);

    public static TheoryData<int, OutputRelease> MaskedSeeds => StreamRuns.Seeds(11,
        OutputRelease.SafePrefix, OutputRelease.SafePrefix, OutputRelease.Sentence, OutputRelease.Sentence,
        OutputRelease.SafePrefix, OutputRelease.SafePrefix);

    [Theory]
    [MemberData(nameof(BlockedSeeds))]
    public void Blocked_term_split_at_random_points_never_reaches_the_output(int seed, OutputRelease release)
    {
        // Proves, for random delta boundaries, the output never contains the blocked word in any normalized form.
        const string text = "First sentence is fine. The internal host is oa.jiao-yu.com and more text! 还有中文内容。";
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var filter = NewFilter(maxHold: random.Next(8, 80), release: release);
            var output = StreamRuns.Run(filter, StreamRuns.RandomSplit(text, random, 5));
            Assert.DoesNotContain(ModerationNormalizer.NormalizePattern("jiaoyu.com"), ModerationNormalizer.NormalizePattern(output));
            Assert.EndsWith(Notice, output);
            Assert.True(filter.IsBlocked);
        }
    }

    [Theory]
    [MemberData(nameof(MaskedSeeds))]
    public void Masked_terms_and_pii_split_at_random_points_match_the_one_shot_mask(int seed, OutputRelease release)
    {
        // Proves streaming with random splits releases exactly what masking the whole answer at once would.
        const string text = "You can say r u d e_word here. 电话 13812345678，password: hunter2\nEnd of answer with rude_word. " +
            "Call +86 138 1234 5678 or mail hr@demo.example, card 6222 0212 3456 7897 ok; the api_key = sk-abcdefghijklmnopqrstuvwxyz012345 and 密码是Secret123 then 110101199003074518 done";
        var random = new Random(seed);
        var lexicons = Lexicons.CompiledLexiconSet.CompileWithPlatform(
            [new Lexicons.Lexicon("tenant_rude", ["rude_word"], RiskLevel.Medium, Lexicons.LexiconAction.Mask)], "mask-only");
        for (var round = 0; round < 50; round++)
            StreamRuns.AssertStreamsAsOneShotMask(_engine, lexicons, text, random, release, longest: 5);
    }

    [Fact]
    public void A_stream_without_sentence_ends_still_flows()
    {
        // Proves the max-hold rule releases text from a stream that never ends a sentence.
        var filter = NewFilter(maxHold: 100);
        var released = 0;
        for (var i = 0; i < 100; i++)
            released += filter.Append("很长的回答没有句号 ").Length;
        Assert.True(released > 500, $"released {released}");
        Assert.True(filter.PendingLength < 200);
    }

    [Fact]
    public void Hits_carry_offsets_in_the_whole_answer()
    {
        // Proves recorded hits point into the full original answer, not into one delta.
        var lexicons = Lexicons.CompiledLexiconSet.Compile(
            [new Lexicons.Lexicon("tenant_rude", ["rude_word"], RiskLevel.Medium, Lexicons.LexiconAction.Mask)], "v");
        var filter = new StreamingOutputFilter(_engine, lexicons);
        const string text = "Line one.\nSay rude_word.\n";
        StreamRuns.Run(filter, StreamRuns.RandomSplit(text, new Random(3), 5));
        var hit = Assert.Single(filter.Hits);
        Assert.Equal("rude_word", text[hit.Start..hit.End]);
    }
}
