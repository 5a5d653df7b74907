namespace Conversations.Moderation.Tests.Matching;

public sealed class AhoCorasickTests
{
    [Fact]
    public void Finds_all_overlapping_matches()
    {
        // Proves the classic he/she/his/hers example reports every overlapping occurrence with its range.
        var automaton = AhoCorasickAutomaton.Build(["he", "she", "his", "hers"]);
        var matches = new List<AhoCorasickMatch>();
        automaton.FindAll("ushers", matches);
        Assert.Equal(
            [new(0, 2, 4), new(1, 1, 4), new(3, 2, 6)],
            matches.OrderBy(m => m.End).ThenBy(m => m.PatternId).ToArray());
    }

    [Fact]
    public void Duplicate_patterns_each_report_their_own_id()
    {
        // Proves two libraries holding the same word both get the hit.
        var automaton = AhoCorasickAutomaton.Build(["abc", "abc", "", "bc"]);
        var matches = new List<AhoCorasickMatch>();
        automaton.FindAll("xabc", matches);
        Assert.Equal([0, 1, 3], matches.Select(m => m.PatternId).Order().ToArray());
    }

    [Fact]
    public void Stream_state_carries_matches_across_chunks()
    {
        // Proves passing the returned state back in finds a word split across two scans.
        var automaton = AhoCorasickAutomaton.Build(["中文词"]);
        var matches = new List<AhoCorasickMatch>();
        var sink = new ListMatchSink(matches);
        var state = automaton.Scan("这是中", ref sink);
        Assert.Equal(1, automaton.Depth(state));
        automaton.Scan("文词", ref sink, state);
        Assert.Single(matches);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Agrees_with_a_naive_matcher_on_random_inputs(int seed)
    {
        // Proves the automaton finds exactly the (pattern, start, end) set a brute-force search finds.
        var random = new Random(seed);
        const string alphabet = "abcab中文中";
        string RandomString(int min, int max) =>
            new(Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        var patterns = Enumerable.Range(0, 60).Select(_ => RandomString(1, 5)).ToList();
        AssertAgreesWithNaive(patterns, Enumerable.Range(0, 30).Select(_ => RandomString(0, 80) + "xyz" + RandomString(0, 40)));
    }

    /// <summary>Asserts the automaton over <paramref name="patterns"/> finds exactly the matches a brute-force search finds in each text.</summary>
    private static void AssertAgreesWithNaive(List<string> patterns, IEnumerable<string> texts)
    {
        var automaton = AhoCorasickAutomaton.Build(patterns);
        foreach (var text in texts)
        {
            var expected = new HashSet<AhoCorasickMatch>();
            for (var p = 0; p < patterns.Count; p++)
            {
                for (var i = text.IndexOf(patterns[p], StringComparison.Ordinal); i >= 0; i = text.IndexOf(patterns[p], i + 1, StringComparison.Ordinal))
                    expected.Add(new AhoCorasickMatch(p, i, i + patterns[p].Length));
            }
            var actual = new List<AhoCorasickMatch>();
            automaton.FindAll(text, actual);
            Assert.Equal(expected.Count, actual.Count);
            Assert.True(expected.SetEquals(actual));
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Agrees_with_a_naive_matcher_where_states_are_wide(int seed)
    {
        // Proves the complete rows of wide states (more than six children, frequent symbols first) give the same matches:
        // a small alphabet of frequent chars makes the upper trie bushy, and 80 rarer ones push symbols past the dense rows.
        var random = new Random(seed);
        var frequent = "etaoinshrdlu";
        var rare = new string(Enumerable.Range(0, 80).Select(i => (char)(0x4E00 + i)).ToArray());
        char Next() => random.Next(3) == 0 ? rare[random.Next(rare.Length)] : frequent[random.Next(frequent.Length)];
        string RandomString(int min, int max) => new(Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Next()).ToArray());
        var patterns = Enumerable.Range(0, 1500).Select(_ => RandomString(1, 5)).ToList();
        AssertAgreesWithNaive(patterns, Enumerable.Range(0, 30).Select(_ => RandomString(0, 200) + "xyz" + RandomString(0, 100)));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void Agrees_with_a_naive_matcher_on_many_rare_chars_scanned_in_pieces(int seed)
    {
        // Proves the shortcut for two chars that follow each other in no pattern (straight to the root's row) gives the
        // same matches: 300 hanzi put most symbols past the dense rows, a few Latin letters keep the frequent ones, and
        // each text is also scanned in random pieces with the state carried across (the first char of a piece has no
        // previous char to pair with).
        var random = new Random(seed);
        var hanzi = new string(Enumerable.Range(0, 300).Select(i => (char)(0x4E00 + (i * 37 % 20000))).ToArray());
        char Next() => random.Next(5) == 0 ? "abcde"[random.Next(5)] : hanzi[random.Next(random.Next(2) == 0 ? 20 : hanzi.Length)];
        string RandomString(int min, int max) => new(Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Next()).ToArray());
        var patterns = Enumerable.Range(0, 2000).Select(_ => RandomString(1, 4)).ToList();
        var texts = Enumerable.Range(0, 30).Select(_ => RandomString(0, 300) + "xyz" + RandomString(0, 100)).ToList();
        AssertAgreesWithNaive(patterns, texts);

        var automaton = AhoCorasickAutomaton.Build(patterns);
        foreach (var text in texts)
        {
            var whole = new List<AhoCorasickMatch>();
            automaton.FindAll(text, whole);
            var pieces = new List<AhoCorasickMatch>();
            var state = 0;
            for (var start = 0; start < text.Length;)
            {
                var length = Math.Min(text.Length - start, random.Next(1, 6));
                var offset = new List<AhoCorasickMatch>();
                var pieceSink = new ListMatchSink(offset);
                state = automaton.Scan(text.AsSpan(start, length), ref pieceSink, state);
                pieces.AddRange(offset.Select(m => new AhoCorasickMatch(m.PatternId, m.Start + start, m.End + start)));
                start += length;
            }
            Assert.Equal(whole.ToHashSet(), pieces.ToHashSet());
            Assert.Equal(whole.Count, pieces.Count);
        }
    }

    [Fact]
    public void Builds_a_large_chinese_alphabet()
    {
        // Proves thousands of distinct CJK chars are handled by the dense symbol map and root row.
        var patterns = Enumerable.Range(0, 5000).Select(i => new string([(char)(0x4E00 + i), (char)(0x4E00 + (i * 7 % 5000))])).ToList();
        var automaton = AhoCorasickAutomaton.Build(patterns);
        Assert.Equal(5000, automaton.AlphabetSize);
        Assert.Equal(1, automaton.Count(patterns[1234]));
    }
}
