namespace Conversations.Text.Tests;

public sealed class StopWordsTests
{
    [Theory]
    [InlineData("the", true)]
    [InlineData("please", true)]
    [InlineData("tell", true)]
    [InlineData("it's", true)]
    [InlineData("user", false)]
    [InlineData("assistant", false)]
    [InlineData("vpn", false)]
    [InlineData("The", false)] // callers lower-case first
    public void English_stop_words(string word, bool expected)
    {
        // Proves the one English list holds function and request words but no topic word, and is case-sensitive by contract.
        Assert.Equal(expected, StopWords.IsEnglish(word));
    }

    [Theory]
    [InlineData("user", true)]
    [InlineData("assistant", true)]
    [InlineData("the", true)]
    [InlineData("warehouse", false)]
    public void A_transcript_also_drops_role_names(string word, bool expected)
    {
        // Proves the transcript list is the English list plus the speakers' role names.
        Assert.Equal(expected, StopWords.IsTranscriptWord(word));
    }

    [Fact]
    public void Every_english_stop_word_is_lower_case_and_trimmed()
    {
        // Proves the list can match callers that lower-case their words.
        Assert.All(StopWords.English, w => Assert.Equal(w.Trim().ToLowerInvariant(), w));
    }

    [Theory]
    [InlineData("的了", true)]
    [InlineData("我们", true)]
    [InlineData("仓库", false)]
    [InlineData("的库", false)]
    [InlineData("的", false)]
    public void Chinese_function_bigrams(string bigram, bool expected)
    {
        // Proves only a pair of two function characters is skipped.
        Assert.Equal(expected, StopWords.IsChineseFunctionBigram(bigram));
    }
}
