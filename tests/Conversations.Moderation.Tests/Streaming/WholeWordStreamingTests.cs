namespace Conversations.Moderation.Tests.Streaming;

/// <summary>Whole-word matching in a stream: a word is decided once the next char shows it ended, exactly as a one-shot scan decides it.</summary>
public sealed class WholeWordStreamingTests
{
    private const string Notice = "[withheld]";
    private readonly ModerationEngine _engine = new();

    // Near-misses, evasions, words at the very end of a delta, neighbours of other scripts and invisible chars.
    private static readonly string[] Pieces =
    [
        "class", "passwords", "bad", "badge", "b a d", "b.a.d", "is exactly", "sex", "s e x", "ｓｅｘ", "s\u200Bex", "ѕех",
        "assassin", "ass", "Scunthorpe", "cunt", "an us", "anus", "hell", "shell", "Hello", "жbad", "bad\u200B", "\u200B",
        "rude_word", "r u d e word", "看", "片", "傻 逼", "fucking", "call 13812345678", "mail hr@demo.example", "3", "'s",
    ];

    private static readonly string[] Joins = ["", "", " ", " ", " ", ". ", ", ", "\n", "-", "\u200B", "。"];

    private static string RandomText(Random random, int maxPieces, bool withPii = true)
    {
        var sb = new StringBuilder();
        var count = random.Next(1, maxPieces);
        for (var i = 0; i < count; i++)
        {
            var piece = Pieces[random.Next(Pieces.Length)];
            if (!withPii && (piece.Any(c => char.IsDigit(c) || c == '@'))) continue;
            sb.Append(piece).Append(Joins[random.Next(Joins.Length)]);
        }
        return sb.ToString();
    }

    public static TheoryData<int, OutputRelease> MaskedSeeds =>
        StreamRuns.Seeds(21, OutputRelease.SafePrefix, OutputRelease.SafePrefix, OutputRelease.SafePrefix, OutputRelease.Sentence, OutputRelease.Sentence);

    public static TheoryData<int, OutputRelease> BlockedSeeds =>
        StreamRuns.Seeds(31, OutputRelease.SafePrefix, OutputRelease.SafePrefix, OutputRelease.Sentence);

    [Theory]
    [MemberData(nameof(MaskedSeeds))]
    public void Masked_whole_words_stream_exactly_as_the_one_shot_mask(int seed, OutputRelease release)
    {
        // Proves, for random texts and random delta boundaries, the streamed output equals masking the whole answer at once.
        var lexicons = CompiledLexiconSet.CompileWithPlatform(
            [new Lexicon("tenant_mask", WholeWordMatchingTests.Terms, RiskLevel.Medium, LexiconAction.Mask)], "mask");
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
            StreamRuns.AssertStreamsAsOneShotMask(_engine, lexicons, RandomText(random, maxPieces: 40), random, release, longest: 6);
    }

    [Theory]
    [MemberData(nameof(BlockedSeeds))]
    public void Blocked_whole_words_withhold_exactly_when_the_one_shot_scan_blocks(int seed, OutputRelease release)
    {
        // Proves a stream is withheld iff the whole answer is blocked, and what was shown before is the one-shot text up to there.
        var lexicons = CompiledLexiconSet.Compile(
            [new Lexicon("tenant_block", WholeWordMatchingTests.Terms, RiskLevel.High, LexiconAction.Block)], "block");
        var random = new Random(seed);
        var blocked = 0;
        for (var round = 0; round < 300; round++)
        {
            var text = RandomText(random, maxPieces: 6, withPii: false);
            var oneShot = _engine.Scan(text, lexicons, ModerationPhase.Output);
            var filter = StreamRuns.RandomFilter(_engine, lexicons, random, release, Notice);
            var output = StreamRuns.Run(filter, StreamRuns.RandomSplit(text, random, 6));
            Assert.Equal(oneShot.IsBlocked, filter.IsBlocked);
            if (!oneShot.IsBlocked)
            {
                Assert.Equal(oneShot.Mask(text), output);
                continue;
            }
            blocked++;
            Assert.EndsWith(Notice, output);
            var shown = output[..^Notice.Length];
            var firstBlock = oneShot.Hits.Where(h => h.Action == ModerationAction.Block).Min(h => h.Start);
            Assert.True(shown.Length <= firstBlock, $"shown {shown.Length} chars, first blocked word at {firstBlock}");
            Assert.Equal(text[..shown.Length], shown);
        }
        Assert.InRange(blocked, 30, 290); // both outcomes occur
    }

    [Fact]
    public void A_word_at_the_end_of_a_delta_waits_for_the_next_char()
    {
        // Proves "bad" is held until the next char shows whether it is "bad" or "badge".
        var lexicons = CompiledLexiconSet.Compile([new Lexicon("b", ["bad"], RiskLevel.High, LexiconAction.Block)], "b");
        var filter = new StreamingOutputFilter(_engine, lexicons, new StreamingFilterOptions { WithheldNotice = Notice });
        Assert.Equal("A ", filter.Append("A bad"));
        Assert.Equal("badge is fine, ", filter.Append("ge is fine, "));
        Assert.False(filter.IsBlocked);
        Assert.Equal("so is ", filter.Append("so is b a"));
        Assert.Equal(Notice, filter.Append(" d."));
        Assert.True(filter.IsBlocked);

        var last = new StreamingOutputFilter(_engine, lexicons, new StreamingFilterOptions { WithheldNotice = Notice });
        Assert.Equal("Too ", last.Append("Too bad"));
        Assert.Equal(Notice, last.Flush()); // the answer ended: the word ended with it
    }
}
