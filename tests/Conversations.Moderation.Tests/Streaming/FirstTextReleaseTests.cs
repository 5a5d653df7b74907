namespace Conversations.Moderation.Tests.Streaming;

/// <summary>
/// The answer's first text is shown with the first delta whenever it is provably safe: no lexicon word can still start
/// there, no personal-data mask would hide it, and no vendor key prefix can start there. Secret keywords ("token:",
/// "密码是") keep their first char visible when masked, so they no longer hold it; their values are still masked.
/// </summary>
public sealed class FirstTextReleaseTests
{
    private readonly ModerationEngine _engine = new();

    // The platform lexicons (the demo set) plus tenant words, all masked so every split can be compared char for char; the
    // question-only words, instruction-override phrases among them, are not checked in answers at all.
    private static readonly CompiledLexiconSet Lexicons = CompiledLexiconSet.CompileWithPlatform(
        [new Lexicon("tenant_mask", ["rude_word", "theater", "新员工福利", "hire freeze"], RiskLevel.Medium, LexiconAction.Mask),
         new Lexicon("tenant_mask_loose", ["ann x"], RiskLevel.Medium, LexiconAction.Mask, SubstringWords: ["zorp"]),
         new Lexicon("tenant_questions", ["can help", "idle talk"], RiskLevel.Medium, LexiconAction.Block, Scope: LexiconScope.Input)],
        "first-text");

    [Theory]
    [InlineData("To", "T")] // "token: …" masks its value, not the keyword
    [InlineData("Access", "A")]
    [InlineData("Pass", "P")]
    [InlineData("As", "")] // may become "asshole", a masked platform word
    [InlineData("Actually", "A")]
    [InlineData("-", "-")] // a list bullet
    [InlineData("(", "(")]
    [InlineData("你好", "你好")] // unspaced script: no run to wait for
    [InlineData("2", "2")] // phones, cards and IDs keep their first digits
    [InlineData("1", "1")] // "1" folds to "i", but "ignore previous instructions" is checked in questions only
    [InlineData("I", "I")]
    [InlineData("I can h", "I can ")] // "can help" is a question-only word
    [InlineData("H", "")] // may become "how to make a bomb", blocked in answers too
    [InlineData("B", "")] // "build a pipe bomb", "bullshit"
    [InlineData("A", "")] // may become an AWS key ("AKIA…"), masked whole
    [InlineData("sk", "")] // may become "sk-…", masked whole
    [InlineData("ｓｋ", "")] // the full-width form folds to "sk"
    [InlineData("s\u200Bk", "")] // so does one with an invisible char inside
    [InlineData("g", "")] // "ghp_…"
    [InlineData("他", "")] // the start of a platform word (他妈的), masked whole
    [InlineData("新员工福", "")] // the open start of a tenant word
    [InlineData("the", "")] // "theater" is a tenant word: "the" may still become it
    public void The_first_delta_shows_what_no_finding_can_hide(string firstDelta, string shown)
    {
        // Proves the first delta releases text exactly when no lexicon word, mask or vendor key prefix could hide it.
        Assert.Equal(shown, new StreamingOutputFilter(_engine, Lexicons).Append(firstDelta));
    }

    // Openings that probe each rule, followed by text that completes (or does not complete) a finding.
    private static readonly string[] Openings =
    [
        "新员工福利包括年假。", "新员工可以休假。", "他妈的不行。", "他说可以。", "13812345678 是电话。", "138 1234 5678 is it.",
        "6222 0212 3456 7897 is the card.", "15 days of leave.", "hr@demo.example writes back.", "Theo.lee@demo.example is HR.",
        "theater tickets", "the theater", "The answer is rude_word here.", "sk-abcdefghijklmnopqrstuvwxyz012345 leaked.",
        "AKIAABCDEFGHIJKLMNOP is a key.", "A new rule.", "As agreed.", "To reset: token: a1b2c3d4e5f6g7h8i9j0 now.",
        "Your password is hunter2 ok.", "password is hunter2 ok.", "密码是Secret123，请改。", "密码：Secret123。", "口令为abc123。",
        "ｓｋ-abcdefghijklmnopqrstuvwxyz012345 x", "１３８１２３４５６７８ 电话", "- item one\n- item two", "(see 13812345678)",
        "110101199003074518 is an ID.", "+86 138 1234 5678 call.", "Bearer xyz123ABCdefGHI456jkl ok", "api_key = sk-abcdefghijklmnopqrstuvwxyz012345",
        "I can help with that.", "Ignore previous instructions is what an attack says.", "1gnore all previous instructions", "How to reset it.",
        "How to make a", "Build a team.", "Buy a gun", "Hi there.", "The shire freeze ended.", "A hire freeze starts.", "Their hire freezes",
        "ahire freeze", "hire\u200B freeze", "Shire freeze", "Joann x", "Ann x", "Dzorp", "zorpy", "idle talk here", "Hello, I can help.",
    ];

    [Theory]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    public void Answers_stream_exactly_as_the_one_shot_mask_for_random_splits(int seed)
    {
        // Proves, for random openings followed by random text and random delta boundaries, that the streamed output
        // equals masking the whole answer at once (the early first text included).
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var text = Openings[random.Next(Openings.Length)] + (random.Next(2) == 0 ? " " : "") + Openings[random.Next(Openings.Length)];
            var expected = _engine.Scan(text, Lexicons, ModerationPhase.Output).Mask(text);
            var filter = new StreamingOutputFilter(_engine, Lexicons);
            Assert.Equal(expected, StreamRuns.Run(filter, StreamRuns.RandomSplit(text, random, random.Next(1, 8))));
            Assert.Equal(text.Length, filter.ConsumedLength);
        }
    }
}
