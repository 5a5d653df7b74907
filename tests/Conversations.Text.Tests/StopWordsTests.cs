namespace Conversations.Text.Tests;

public sealed class StopWordsTests
{
    [Theory]
    [InlineData(nameof(StopWords.IsEnglish), "the", true)]
    [InlineData(nameof(StopWords.IsEnglish), "please", true)]
    [InlineData(nameof(StopWords.IsEnglish), "tell", true)]
    [InlineData(nameof(StopWords.IsEnglish), "it's", true)]
    [InlineData(nameof(StopWords.IsEnglish), "user", false)]
    [InlineData(nameof(StopWords.IsEnglish), "assistant", false)]
    [InlineData(nameof(StopWords.IsEnglish), "vpn", false)]
    [InlineData(nameof(StopWords.IsEnglish), "The", false)] // callers lower-case first
    [InlineData(nameof(StopWords.IsTranscriptWord), "user", true)]
    [InlineData(nameof(StopWords.IsTranscriptWord), "assistant", true)]
    [InlineData(nameof(StopWords.IsTranscriptWord), "the", true)]
    [InlineData(nameof(StopWords.IsTranscriptWord), "warehouse", false)]
    [InlineData(nameof(StopWords.IsChineseFunctionBigram), "的了", true)]
    [InlineData(nameof(StopWords.IsChineseFunctionBigram), "我们", true)]
    [InlineData(nameof(StopWords.IsChineseFunctionBigram), "仓库", false)]
    [InlineData(nameof(StopWords.IsChineseFunctionBigram), "的库", false)]
    [InlineData(nameof(StopWords.IsChineseFunctionBigram), "的", false)]
    public void Each_list_holds_its_words_and_no_others(string list, string word, bool expected)
    {
        // Proves the one English list holds function and request words but no topic word, and is case-sensitive by
        // contract; the transcript list is the English list plus the speakers' role names; and only a pair of two
        // Chinese function characters is skipped.
        Func<string, bool> isStopWord = list switch
        {
            nameof(StopWords.IsEnglish) => StopWords.IsEnglish,
            nameof(StopWords.IsTranscriptWord) => StopWords.IsTranscriptWord,
            nameof(StopWords.IsChineseFunctionBigram) => StopWords.IsChineseFunctionBigram,
            _ => throw new ArgumentOutOfRangeException(nameof(list), list, "no such list"),
        };
        Assert.Equal(expected, isStopWord(word));
    }

    [Fact]
    public void Every_english_stop_word_is_lower_case_and_trimmed()
    {
        // Proves the list can match callers that lower-case their words.
        Assert.All(StopWords.English, w => Assert.Equal(w.Trim().ToLowerInvariant(), w));
    }
}
