namespace Conversations.Moderation.Tests.Matching;

/// <summary>The fast scan paths against plain references on random texts: same findings, same order.</summary>
public sealed class ScanDifferentialTests
{
    private static string RandomString(Random random, int length, string alphabet)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
            chars[i] = alphabet[random.Next(alphabet.Length)];
        return new string(chars);
    }

    private static List<AhoCorasickMatch> Naive(IReadOnlyList<string> patterns, string text)
    {
        var found = new List<AhoCorasickMatch>();
        for (var p = 0; p < patterns.Count; p++)
        {
            if (patterns[p].Length == 0)
                continue;
            for (var at = text.IndexOf(patterns[p], StringComparison.Ordinal); at >= 0; at = text.IndexOf(patterns[p], at + 1, StringComparison.Ordinal))
                found.Add(new AhoCorasickMatch(p, at, at + patterns[p].Length));
        }
        return found;
    }

    [Theory]
    [InlineData(1, "ab", 1, 4)]
    [InlineData(2, "abc", 2, 6)]
    [InlineData(3, "abcd新员工", 1, 12)]
    [InlineData(4, "xyzw", 3, 40)]
    public void The_automaton_reports_what_a_naive_search_reports(int seed, string alphabet, int minWord, int maxWord)
    {
        // Proves, on random texts and words (overlapping and repeated ones included), that the automaton reports every
        // occurrence a naive search finds, no other, in order of end position.
        var random = new Random(seed);
        for (var round = 0; round < 60; round++)
        {
            var patterns = Enumerable.Range(0, random.Next(1, 30)).Select(_ => RandomString(random, random.Next(minWord, maxWord + 1), alphabet)).ToList();
            var automaton = AhoCorasickAutomaton.Build(patterns);
            var text = RandomString(random, random.Next(0, 3000), alphabet + " .");
            var found = new List<AhoCorasickMatch>();
            automaton.FindAll(text, found);
            Assert.Equal(found.OrderBy(m => m.End), found);
            Assert.Equal(
                Naive(patterns, text).OrderBy(m => m.End).ThenBy(m => m.Start).ThenBy(m => m.PatternId),
                found.OrderBy(m => m.End).ThenBy(m => m.Start).ThenBy(m => m.PatternId));
        }
    }

    // Pieces that wake each detector (and its near misses), in ASCII, full-width and with invisible chars.
    private static readonly string[] PiiPieces =
    [
        "password: hunter2", "PassWord=abc", "pwd is x", "密码是Secret123", "口令：abc", "密 码", "api_key = sk-abcdefghijklmnopqrstuvwxyz012345",
        "token: a1b2c3d4e5f6g7h8i9j0", "Bearer xyz123ABCdefGHI456jkl", "secret=Q2x9Lm4Pz8Rt6Vw1", "AKIAABCDEFGHIJKLMNOP", "LTAIabcdef1234567890",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ｐａｓｓｗｏｒｄ：ｘｙｚ", "pass\u200Bword: q", "keys", "tokens", "sk-short",
        "13812345678", "+86 138 1234 5678", "6222 0212 3456 7897", "110101199003074518", "10.1.2.3", "hr@demo.example", "ｈｒ＠ｄｅｍｏ.ｅｘａｍｐｌｅ",
        "１３８１２３４５６７８", "the", "新员工", "annual leave", "，", "。", " ", "\n", "k", "e", "y",
    ];

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    public void The_pii_trigger_prefilter_finds_what_running_every_detector_finds(int seed)
    {
        // Proves the one-pass trigger check that skips the secret detectors never skips a text one of them would match.
        var reference = new PiiScanner(skipByTriggers: false);
        var random = new Random(seed);
        for (var round = 0; round < 400; round++)
        {
            var sb = new StringBuilder();
            for (var n = random.Next(1, 12); n > 0; n--)
                sb.Append(PiiPieces[random.Next(PiiPieces.Length)]).Append(random.Next(3) == 0 ? "" : " ");
            var light = ModerationNormalizer.NormalizeLight(sb.ToString());
            var fast = new List<PiiSpan>();
            var all = new List<PiiSpan>();
            PiiScanner.Default.Scan(light.Chars, fast);
            reference.Scan(light.Chars, all);
            Assert.Equal(all, fast);
        }
    }

    [Theory]
    [InlineData(51)]
    [InlineData(52)]
    public void The_engine_finds_the_same_hits_in_long_and_short_texts(int seed)
    {
        // Proves a long text gets the same lexicon hits as its sentences scanned one by one (no state leaks between matches).
        var lexicons = CompiledLexiconSet.CompileWithPlatform(
            [new Lexicon("tenant", ["rude_word", "bad", "新员工", "annual leave"], RiskLevel.Medium, LexiconAction.Mask)], "diff");
        var engine = new ModerationEngine();
        var random = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var sentences = Enumerable.Range(0, random.Next(20, 60))
                .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 6)).Select(_ => PiiPieces[random.Next(PiiPieces.Length)])) +
                    (random.Next(2) == 0 ? " bad rude_word 新员工。" : " annual leave.\n"))
                .ToList();
            var text = string.Concat(sentences);
            var whole = engine.Scan(text, lexicons, ModerationPhase.Output).Hits.Where(h => h.Source == HitSource.Lexicon)
                .Select(h => (h.Start, h.End, h.Keyword)).ToList();
            var pieces = new List<(int, int, string?)>();
            var offset = 0;
            foreach (var sentence in sentences)
            {
                pieces.AddRange(engine.Scan(sentence, lexicons, ModerationPhase.Output).Hits.Where(h => h.Source == HitSource.Lexicon)
                    .Select(h => (h.Start + offset, h.End + offset, h.Keyword)));
                offset += sentence.Length;
            }
            Assert.Equal(pieces.Order(), whole.Order());
        }
    }
}
