namespace Conversations.Moderation.Tests.Streaming;

/// <summary>Feeds a streaming filter the way a model stream would: deltas of random length, then the flush.</summary>
internal static class StreamRuns
{
    /// <summary>Everything the filter releases for the deltas, including what the flush lets out.</summary>
    public static string Run(StreamingOutputFilter filter, IEnumerable<string> deltas) =>
        string.Concat(deltas.Select(d => filter.Append(d))) + filter.Flush();

    /// <summary>A filter over <paramref name="lexicons"/> that holds back at most 8 to 79 chars, as the seeded random picks.</summary>
    public static StreamingOutputFilter RandomFilter(ModerationEngine engine, CompiledLexiconSet lexicons, Random random, OutputRelease release, string? notice = null)
    {
        var options = new StreamingFilterOptions { MaxHoldChars = random.Next(8, 80), Release = release };
        return new StreamingOutputFilter(engine, lexicons, notice is null ? options : options with { WithheldNotice = notice });
    }

    /// <summary>Seeded cases for a theory: one per release mode given, the seeds counted up from <paramref name="first"/>.</summary>
    public static TheoryData<int, OutputRelease> Seeds(int first, params OutputRelease[] releases)
    {
        var cases = new TheoryData<int, OutputRelease>();
        for (var i = 0; i < releases.Length; i++) cases.Add(first + i, releases[i]);
        return cases;
    }

    /// <summary>
    /// Streams <paramref name="text"/> through a random filter in random deltas and asserts it releases exactly what
    /// masking the whole text at once gives, blocks nothing and consumes every char.
    /// </summary>
    public static void AssertStreamsAsOneShotMask(ModerationEngine engine, CompiledLexiconSet lexicons, string text, Random random, OutputRelease release, int longest)
    {
        var expected = engine.Scan(text, lexicons, ModerationPhase.Output).Mask(text);
        var filter = RandomFilter(engine, lexicons, random, release);
        Assert.Equal(expected, Run(filter, RandomSplit(text, random, longest)));
        Assert.False(filter.IsBlocked);
        Assert.Equal(text.Length, filter.ConsumedLength);
    }

    /// <summary>The text cut into deltas of 1 to <paramref name="longest"/> chars, at points the seeded random picks.</summary>
    public static IEnumerable<string> RandomSplit(string text, Random random, int longest)
    {
        for (var i = 0; i < text.Length;)
        {
            var n = Math.Min(text.Length - i, random.Next(1, longest + 1));
            yield return text.Substring(i, n);
            i += n;
        }
    }
}
