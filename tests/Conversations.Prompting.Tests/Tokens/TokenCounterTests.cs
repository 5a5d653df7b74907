namespace Conversations.Prompting.Tests.Tokens;

public sealed class TokenCounterTests
{
    private static readonly ITokenCounter Counter = TestText.Counter;

    [Fact] // Chinese and English both count positive, longer text counts more, and the same text counts the same.
    public void Counts_are_positive_monotonic_and_stable_for_both_languages()
    {
        const string en = "Please summarize the warehouse migration plan.";
        const string zh = "请总结一下仓库迁移计划。";
        Assert.True(Counter.Count(en) > 0);
        Assert.True(Counter.Count(zh) > 0);
        Assert.True(Counter.Count(en + " " + en) > Counter.Count(en));
        Assert.True(Counter.Count(zh + zh) > Counter.Count(zh));
        Assert.Equal(Counter.Count(zh), Counter.Count(new string(zh.ToCharArray())));
        Assert.Equal(0, Counter.Count(""));
        // o200k often packs several Chinese characters into one token; one token per character is the upper bound.
        Assert.InRange(Counter.Count(zh), 2, zh.Length);
    }

    [Fact] // A run without whitespace far longer than any word (a broken model's output, a pasted blob) is counted in
           // pieces: byte-pair merging costs the square of a word's length, so this run alone would take minutes whole.
    public void A_run_longer_than_any_word_is_counted_in_pieces()
    {
        var random = new Random(7);
        var run = new string(Enumerable.Range(0, 300_000).Select(_ => (char)('a' + random.Next(26))).ToArray());
        const string before = "Please summarize the plan. ";
        const string after = " Thanks, and 中文 too.";
        var text = before + run + after;

        var pieces = Enumerable.Range(0, (run.Length + TokenCounter.LongestWord - 1) / TokenCounter.LongestWord)
            .Sum(i => Counter.Count(run.Substring(i * TokenCounter.LongestWord, Math.Min(TokenCounter.LongestWord, run.Length - i * TokenCounter.LongestWord))));
        Assert.Equal(Counter.Count(before) + pieces + Counter.Count(after), Counter.Count(text));

        // Keeping a start or an end of such text is a real prefix or suffix of about the tokens asked (counted again on
        // its own, a kept end's pieces start elsewhere in the run: a token or so either way at each cut).
        foreach (var keep in new[] { 3, 500, 20_000 })
        {
            var start = Counter.KeepStart(text, keep);
            var end = Counter.KeepEnd(text, keep);
            Assert.StartsWith(start, text, StringComparison.Ordinal);
            Assert.EndsWith(end, text, StringComparison.Ordinal);
            Assert.InRange(Counter.Count(start), keep - 2, keep);
            Assert.InRange(Counter.Count(end), keep - keep / 50 - 2, keep + keep / 50 + 2);
        }

        // A cut that falls exactly between pieces keeps the whole pieces before (or after) it.
        Assert.Equal(before, Counter.KeepStart(text, Counter.Count(before)));
        Assert.Equal(after, Counter.KeepEnd(text, Counter.Count(after)));

        // Ordinary text is one piece: counted exactly as the tokenizer counts it.
        var ordinary = string.Join(' ', Enumerable.Repeat("The travel policy applies to every team, 中文也一样。", 200));
        Assert.Equal(Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding(TokenCounter.O200kBase).CountTokens(ordinary), Counter.Count(ordinary));
    }

    // Model ids map to their tiktoken encodings; unknown and provider-prefixed ids fall back sensibly.
    public static TheoryData<string?, string> ModelEncodings => new()
    {
        { "gpt-4o-mini", TokenCounter.O200kBase }, { "o1-preview", TokenCounter.O200kBase }, { "qwen-plus", TokenCounter.O200kBase },
        { "gpt-4-turbo", TokenCounter.Cl100kBase }, { "gpt-3.5-turbo", TokenCounter.Cl100kBase }, { "openai/gpt-4", TokenCounter.Cl100kBase },
        { "some-local-model", TokenCounter.O200kBase }, { null, TokenCounter.O200kBase },
    };

    [Theory]
    [MemberData(nameof(ModelEncodings))]
    public void Registry_maps_models_to_encodings(string? model, string encoding)
    {
        Assert.Equal(encoding, TokenizerRegistry.Shared.EncodingForModel(model));
        Assert.Equal(encoding, TokenizerRegistry.Shared.ForModel(model).EncodingName);
    }

    [Fact] // Overrides win over the built-in table, and one counter instance is shared per encoding.
    public void Registry_overrides_and_shares_instances()
    {
        var registry = new TokenizerRegistry(new Dictionary<string, string> { ["gpt-4o-legacy"] = TokenCounter.Cl100kBase });
        Assert.Equal(TokenCounter.Cl100kBase, registry.EncodingForModel("gpt-4o-legacy-2024"));
        Assert.Equal(TokenCounter.O200kBase, registry.EncodingForModel("gpt-4o"));
        Assert.Same(registry.ForModel("gpt-4o"), registry.ForModel("qwen-max"));
        Assert.True(registry.ForModel("gpt-4").Count("再见 goodbye") > 0); // the cl100k data package loads
    }

    [Fact] // A shared counter gives the same answers under concurrent use.
    public void Counting_is_thread_safe()
    {
        var texts = Enumerable.Range(0, 64).Select(i => TestText.Words(new Random(i), 200)).ToArray();
        var expected = texts.Select(Counter.Count).ToArray();
        var actual = new int[texts.Length];
        Parallel.For(0, texts.Length * 8, i => actual[i % texts.Length] = Counter.Count(texts[i % texts.Length]));
        Assert.Equal(expected, actual);
    }

    [Fact] // Cutting to a token limit keeps a prefix/suffix of the text within the limit, for both languages.
    public void KeepStart_and_KeepEnd_respect_the_limit()
    {
        var text = TestText.Words(new Random(3), 400);
        foreach (var limit in new[] { 1, 7, 50, 123 })
        {
            var start = Counter.KeepStart(text, limit);
            var end = Counter.KeepEnd(text, limit);
            Assert.StartsWith(start, text);
            Assert.EndsWith(end, text);
            Assert.InRange(Counter.Count(start), 1, limit);
            Assert.InRange(Counter.Count(end), 1, limit);
        }
        Assert.Equal("", Counter.KeepStart(text, 0));
    }

    [Fact] // The generic binary-search truncation (used by any counter) agrees with the limit too.
    public void Generic_truncation_respects_the_limit()
    {
        var recording = new RecordingCounter(Counter);
        var text = "长文本测试" + TestText.Words(new Random(5), 300);
        var head = TokenTruncation.KeepStartBySearch(recording, text, 40);
        var tail = TokenTruncation.KeepEndBySearch(recording, text, 40);
        Assert.InRange(Counter.Count(head), 30, 40);
        Assert.InRange(Counter.Count(tail), 30, 40);
        Assert.StartsWith(head, text);
        Assert.EndsWith(tail, text);
    }

    [Fact] // Truncating the middle keeps the head and the tail (where the actual question usually is) and marks the cut.
    public void TruncateMiddle_keeps_both_ends_with_a_marker()
    {
        var text = "BEGIN " + TestText.Words(new Random(9), 2000) + " What is the root cause?";
        var cut = TokenTruncation.TruncateMiddle(Counter, text, 200);
        Assert.True(Counter.Count(cut) <= 200);
        Assert.StartsWith("BEGIN", cut);
        Assert.EndsWith("What is the root cause?", cut);
        Assert.Contains(TokenTruncation.Marker, cut);
        Assert.Same(text, TokenTruncation.TruncateMiddle(Counter, text, 100_000));
    }

    [Fact] // A message's count is taken once at creation and carried with it, framing added for the prompt.
    public void ChatTurnMessage_counts_once()
    {
        var recording = new RecordingCounter(Counter);
        var message = ChatTurnMessage.Create(recording, ChatRoles.User, "我叫李雷, nice to meet you", 4, "m4");
        _ = message.TokenCount + message.PromptTokens + message.TokenCount;
        Assert.Single(recording.Counted);
        Assert.Equal(Counter.Count(message.Content), message.TokenCount);
        Assert.Equal(message.TokenCount + MessageTokens.PerMessage, message.PromptTokens);
    }
}
