namespace Conversations.Moderation.Tests.Streaming;

public sealed class OutputWindowsTests
{
    private static readonly OutputWindowOptions Small = new() { MinChars = 20, MaxChars = 60, OverlapChars = 0 };

    [Fact]
    public void A_window_closes_at_the_first_sentence_end_past_the_minimum()
    {
        // Proves windows follow sentences: the short first sentence waits for the next, the cut is right after the '.'.
        var windows = new OutputWindows(Small);
        Assert.Empty(windows.Add("Short one. "));
        var done = windows.Add("Then a longer sentence here. And more");
        Assert.Equal(["Short one. Then a longer sentence here."], done);
        Assert.Equal(" And more", windows.Flush());
        Assert.Null(windows.Flush());
    }

    [Fact]
    public void Text_split_into_single_chars_gives_the_same_windows()
    {
        // Proves the cut does not depend on how the model split its deltas.
        const string text = "First sentence is long enough. Second one is long enough too! Third? Tail without end";
        var whole = new OutputWindows(Small);
        var expected = whole.Add(text).ToList();
        var split = new OutputWindows(Small);
        var got = text.SelectMany(c => split.Add(c.ToString())).ToList();
        Assert.Equal(expected, got);
        Assert.Equal(2, expected.Count);
        Assert.Equal(whole.Flush(), split.Flush());
    }

    [Fact]
    public void A_decimal_point_or_domain_is_not_a_sentence_end()
    {
        // Proves "3.14" and "example.com" do not cut a window in the middle of a token.
        var windows = new OutputWindows(Small);
        var done = windows.Add("Pi is roughly 3.14 and see example.com for more. Next");
        Assert.Equal(["Pi is roughly 3.14 and see example.com for more."], done);
    }

    [Fact]
    public void Without_a_sentence_end_the_window_closes_at_the_maximum_on_a_space()
    {
        // Proves a run-on answer is still checked: cut at the last space at or before MaxChars.
        var windows = new OutputWindows(Small);
        var words = string.Join(' ', Enumerable.Repeat("word", 30));
        var done = windows.Add(words);
        Assert.NotEmpty(done);
        Assert.All(done, w => Assert.InRange(w.Length, Small.MinChars, Small.MaxChars));
        Assert.All(done, w => Assert.EndsWith(" ", w));
        Assert.Equal(words, string.Concat(done) + windows.Flush());
    }

    [Fact]
    public void A_long_token_without_spaces_is_cut_at_the_maximum()
    {
        var windows = new OutputWindows(Small);
        var done = windows.Add(new string('x', 130));
        Assert.Equal([60, 60], done.Select(w => w.Length));
        Assert.Equal(10, windows.Flush()!.Length);
    }

    [Fact]
    public void Each_window_repeats_the_end_of_the_one_before()
    {
        // Proves a phrase cut across two windows is seen whole by the checker.
        var windows = new OutputWindows(Small with { OverlapChars = 12 });
        var first = Assert.Single(windows.Add("The first sentence ends with a bad. word"));
        var second = windows.Flush()!;
        Assert.Equal("The first sentence ends with a bad.", first);
        Assert.Equal(first[^12..] + " word", second);
        var mid = new OutputWindows(Small with { OverlapChars = 12 });
        mid.Add("Alpha beta gamma delta. ");
        var next = Assert.Single(mid.Add("phrase continues over here and ends. "));
        Assert.StartsWith("gamma delta.", next);
    }

    [Fact]
    public void Whitespace_only_rest_is_no_window()
    {
        var windows = new OutputWindows(Small);
        windows.Add("A sentence that is long enough.");
        windows.Add("  \n ");
        Assert.Null(windows.Flush());
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new OutputWindows(new OutputWindowOptions { MinChars = 50, MaxChars = 10 }));
        Assert.Throws<ArgumentException>(() => new OutputWindows(new OutputWindowOptions { MinChars = 0 }));
    }
}
